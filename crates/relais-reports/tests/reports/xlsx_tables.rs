use calamine::{Data, Reader, Xlsx};
use jiff::civil::date;
use relais_core::kpi::{Currency, Money};
use relais_reports::{Cell, Column, ColumnKind, Table, XlsxError, tables_to_xlsx};
use std::io::Cursor;

fn posts() -> Table {
    Table {
        title: "Top posts".into(),
        columns: vec![
            Column { name: "Texte".into(), kind: ColumnKind::Text },
            Column { name: "Interactions".into(), kind: ColumnKind::Integer },
            Column { name: "Taux d’engagement".into(), kind: ColumnKind::Percent },
            Column { name: "Dépense".into(), kind: ColumnKind::Money },
            Column { name: "Publié le".into(), kind: ColumnKind::Date },
        ],
        rows: vec![
            vec![
                Cell::Text("Nos artisans à l’honneur".into()),
                Cell::Integer(1_250),
                Cell::Fraction(0.042),
                Cell::Money(Money::new(12_345, Currency::EUR)),
                Cell::Date(date(2026, 3, 14)),
            ],
            vec![Cell::Text("Sans budget".into()), Cell::Integer(3), Cell::Empty, Cell::Empty, Cell::Date(date(2026, 3, 15))],
        ],
    }
}

#[test]
fn tables_export_one_sheet_each_with_numbers_kept_as_numbers() {
    let pillars = Table {
        title: "Piliers".into(),
        columns: vec![Column { name: "Pilier".into(), kind: ColumnKind::Text }, Column { name: "Part".into(), kind: ColumnKind::Percent }],
        rows: vec![vec![Cell::Text("Conseils".into()), Cell::Fraction(0.25)]],
    };
    let bytes = tables_to_xlsx(&[posts(), pillars]).unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), vec!["Top posts".to_string(), "Piliers".to_string()]);

    let sheet = book.worksheet_range("Top posts").unwrap();
    assert_eq!(sheet.get_value((0, 2)), Some(&Data::String("Taux d’engagement".into())));
    assert_eq!(sheet.get_value((1, 0)), Some(&Data::String("Nos artisans à l’honneur".into())));
    assert_eq!(sheet.get_value((1, 1)), Some(&Data::Float(1250.0)));
    assert_eq!(sheet.get_value((1, 2)), Some(&Data::Float(0.042)), "a percentage stays a number");
    assert_eq!(sheet.get_value((1, 3)), Some(&Data::Float(123.45)), "money stays a number");
    match sheet.get_value((1, 4)) {
        // 46095 days after 1899-12-30, the spreadsheet epoch.
        Some(Data::DateTime(d)) => assert_eq!(d.as_f64(), 46_095.0),
        other => panic!("the date should be a spreadsheet date, got {other:?}"),
    }
    assert_eq!(sheet.get_value((2, 2)), Some(&Data::Empty));
    assert_eq!(book.worksheet_range("Piliers").unwrap().get_value((1, 1)), Some(&Data::Float(0.25)));
}

#[test]
fn a_cell_of_the_wrong_kind_is_refused_with_its_place() {
    let mut table = posts();
    table.rows[1][1] = Cell::Text("beaucoup".into());
    let error = tables_to_xlsx(&[table]).unwrap_err();
    assert!(matches!(error, XlsxError::CellKind { row: 2, .. }), "{error}");
    assert!(error.to_string().contains("\"Interactions\""), "{error}");

    let mut short = posts();
    short.rows[0].pop();
    assert!(matches!(tables_to_xlsx(&[short]).unwrap_err(), XlsxError::RowLength { cells: 4, columns: 5, .. }));
}
