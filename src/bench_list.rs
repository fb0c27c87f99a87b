//! `cargo run --release --features bench -- --bench-list 100000`: what the
//! Customers list costs with that many rows (numbers go to BENCHMARKS.md).
//! A frame here is the whole of it — the view built, laid out and drawn by
//! iced's software renderer (tiny-skia) at the window's size — at 60 scroll
//! positions from top to bottom. Also: filter and sort of all rows, and a
//! key presses in the search box.

use std::time::{Duration, Instant};

use iced_test::Simulator;
use relay_core::local::{LocalData, Row, Unlock};
use relay_core::store::AccountFiles;
use relay_core::vault::KdfParams;
use relay_protocol::crm::Entity;
use serde_json::json;

use crate::i18n::{self, Language};
use crate::screen::workspace::list::{self, RecordList, SortKey};
use crate::theme;

const CITIES: [&str; 8] = [
    "上海", "北京", "深圳", "杭州", "成都", "广州", "苏州", "武汉",
];
const WORDS: [&str; 8] = [
    "Harbor",
    "Summit",
    "Bluestone",
    "Cedar",
    "Granite",
    "Oakridge",
    "Evergreen",
    "Silverline",
];

fn rows(n: usize) -> Vec<Row> {
    (0..n)
        .filter_map(|i| {
            let name = if i % 2 == 0 {
                format!("{}{}科技有限公司 {i}", CITIES[i % 8], CITIES[(i / 8) % 8])
            } else {
                format!("{} Trading Ltd {i}", WORDS[i % 8])
            };
            Row::from_record(
                Entity::Customer,
                &format!("00000000-0000-4000-8000-{i:012}"),
                &json!({
                    "name": name,
                    "industry": if i % 3 == 0 { "物流" } else { "Software" },
                    "phone": format!("+86 138 {:04} {:04}", i / 10_000, i % 10_000),
                    "email": format!("info@c{i}.example.com"),
                }),
                None,
            )
        })
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let p = |q: f64| ms(v[((v.len() as f64 * q) as usize).min(v.len() - 1)]);
    format!(
        "median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        p(0.5),
        p(0.95),
        p(1.0)
    )
}

pub fn run(n: usize) {
    i18n::set_language(Language::English);
    theme::load_fonts();
    let settings = iced::Settings {
        default_font: theme::UI_FONT,
        ..iced::Settings::default()
    };
    let size = (900.0, 700.0);
    let dir = std::env::temp_dir().join(format!("relay-bench-list-{}", std::process::id()));
    let files = AccountFiles::new(&dir, "http://127.0.0.1:9", "bench");
    let Ok(Unlock::Opened(local)) =
        LocalData::unlock(&files, "bench-password", true, None, KdfParams::default())
    else {
        eprintln!("no scratch store in {}", dir.display());
        return;
    };

    let data = rows(n);
    let mut list = RecordList::new(Entity::Customer, None);
    let t = Instant::now();
    list.set_rows(data);
    println!(
        "{n} rows: opening the list (search text folded, sorted by name, filtered) {:.0} ms",
        ms(t.elapsed())
    );

    let mut built = Vec::new();
    let mut framed = Vec::new();
    for k in 0..60 {
        let offset = (n as f32 * list::ROW_HEIGHT) * k as f32 / 60.0;
        list.scroll_to(offset, size.1);
        let t = Instant::now();
        let view = list.view();
        built.push(t.elapsed());
        let mut sim = Simulator::with_size(settings.clone(), size, view);
        let _ = sim.snapshot(&theme::light());
        framed.push(t.elapsed());
    }
    println!("view built: {}", stats(built));
    println!("whole frame (build, layout, draw): {}", stats(framed));

    let mut sorts = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let _ = list.update(list::Message::Sort(SortKey::Context));
        sorts.push(t.elapsed());
    }
    println!("re-sort of {n} rows: {}", stats(sorts));

    let mut searches = Vec::new();
    for q in [
        "华",
        "e",
        "13",
        "Ha",
        "物流",
        "",
        "Trading",
        "科技有限",
        "+86 138",
        "info@c12",
        "ｌｔｄ",
    ] {
        let t = Instant::now();
        let _ = list.update(list::Message::Query(q.into()));
        searches.push(t.elapsed());
    }
    println!(
        "a key press in the search box (scan, then filter of the sorted rows) over {n} rows: {}",
        stats(searches)
    );
    drop(local);
    let _ = std::fs::remove_dir_all(dir);
}
