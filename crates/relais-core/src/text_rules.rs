//! How each network counts a text, and the brand charter lint.
