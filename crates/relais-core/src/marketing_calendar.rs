//! French public holidays and the usual marketing dates ("marronniers"), computed per year.
