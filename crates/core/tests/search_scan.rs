//! Search as you type against a brute-force scan: 2 000 random queries
//! (Chinese, Latin in any case and width, phone digits with and without
//! spaces and +86, emails, contacts' companies) over 100 000 generated
//! rows find exactly the rows a field-by-field check finds. And in the
//! store: what is saved is found by the next query, what is renamed is
//! no longer found by its old name.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use relay_core::local::{LocalData, Row, Unlock};
use relay_core::search::{Haystack, Query, fold, phone_digits};
use relay_core::store::AccountFiles;
use relay_core::vault::KdfParams;
use relay_protocol::crm::Entity;
use serde_json::json;

const ROWS: usize = 100_000;
const QUERIES: usize = 2_000;

const CN: &[&str] = &[
    "深圳",
    "上海",
    "恒通",
    "华信",
    "科技",
    "物流",
    "有限公司",
    "贸易",
    "云帆",
    "申通",
    "王经理",
    "李总",
];
const EN: &[&str] = &[
    "Northwind",
    "Contoso",
    "Trading",
    "Ltd",
    "Pharma",
    "Blue",
    "Stone",
    "Harbour",
    "Group",
    "Anna",
    "Müller",
    "Émile",
];

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from[rng.gen_range(0..from.len())]
}

/// Full-width forms, as an IME types them.
fn widen(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xfee0).unwrap(),
            ' ' => '\u{3000}',
            c => c,
        })
        .collect()
}

fn phone(rng: &mut StdRng) -> String {
    let n: u64 = rng.gen_range(10_000_000..99_999_999);
    match rng.gen_range(0..5) {
        0 => format!(
            "+86 13{} {:04} {:04}",
            rng.gen_range(0..10),
            n / 10_000,
            n % 10_000
        ),
        1 => format!("13{}{:08}", rng.gen_range(0..10), n),
        2 => format!("0755-{:04} {:04}", n / 10_000, n % 10_000),
        3 => format!("+44 20 {:04} {:04}", n / 10_000, n % 10_000),
        _ => String::new(),
    }
}

fn generate(rng: &mut StdRng, i: usize) -> Row {
    let name = match i % 3 {
        0 => format!("{}{}{}", pick(rng, CN), pick(rng, CN), pick(rng, CN)),
        1 => format!("{} {} {}", pick(rng, EN), pick(rng, EN), i),
        _ => format!(
            "{}{} {}",
            pick(rng, CN),
            pick(rng, EN),
            pick(rng, EN).to_uppercase()
        ),
    };
    let entity = if i.is_multiple_of(4) {
        Entity::Contact
    } else {
        Entity::Customer
    };
    let email = if i.is_multiple_of(5) {
        String::new()
    } else {
        format!("Info{}@C{}.example.com", i % 97, i)
    };
    let data =
        json!({"name": name, "phone": phone(rng), "email": email, "industry": pick(rng, CN)});
    let company = format!("{}{}", pick(rng, CN), pick(rng, EN));
    Row::from_record(entity, &format!("r{i}"), &data, Some(company)).unwrap()
}

/// A query as people type them: a piece of a field, maybe in another case
/// or width, a phone's digits with or without the country code, or
/// something found nowhere.
fn query(rng: &mut StdRng, rows: &[Row]) -> String {
    let row = &rows[rng.gen_range(0..rows.len())];
    let field: &str = match rng.gen_range(0..6) {
        0 | 1 => row.title(),
        2 => row.phone(),
        3 => row.email(),
        4 => row.context(),
        _ => {
            return pick(
                rng,
                &[
                    "zzq",
                    "无此公司",
                    "+86 199",
                    "ltd",
                    "LT",
                    "科",
                    "@",
                    "1",
                    "   ",
                ],
            )
            .to_string();
        }
    };
    let chars: Vec<char> = field.chars().collect();
    if chars.is_empty() {
        return "hk".into();
    }
    let len = rng.gen_range(1..=chars.len().min(8));
    let start = rng.gen_range(0..=chars.len() - len);
    let piece: String = chars[start..start + len].iter().collect();
    match rng.gen_range(0..6) {
        0 => piece.to_uppercase(),
        1 => widen(&piece),
        2 => piece
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect(),
        3 => format!("+86 {piece}"),
        _ => piece,
    }
}

/// A row as the reference sees it: each searched field folded on its own.
struct Folded {
    fields: Vec<String>,
    phone_digits: Vec<String>,
}

impl Folded {
    fn new(row: &Row) -> Self {
        let mut fields = vec![fold(row.title()), fold(row.phone()), fold(row.email())];
        if row.entity == Entity::Contact {
            fields.push(fold(row.context()));
        }
        Self {
            fields,
            phone_digits: phone_digits(row.phone()),
        }
    }
}

/// The reference: the query folded, then each field checked with
/// `str::contains`, a phone-like query's digits against the phone's.
fn brute_force(rows: &[Folded], q: &str) -> Vec<bool> {
    let q: String = fold(q.trim()).chars().filter(|c| !c.is_control()).collect();
    let q = q.trim();
    let phone_like = q.chars().any(|c| c.is_ascii_digit())
        && q.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    rows.iter()
        .map(|row| {
            q.is_empty()
                || row.fields.iter().any(|f| f.contains(q))
                || (phone_like && row.phone_digits.iter().any(|d| d.contains(&digits)))
        })
        .collect()
}

#[test]
fn the_scan_finds_what_a_brute_force_check_finds() {
    let mut rng = StdRng::seed_from_u64(20261202);
    let rows: Vec<Row> = (0..ROWS).map(|i| generate(&mut rng, i)).collect();
    let haystack = Haystack::new(&rows);
    let folded: Vec<Folded> = rows.iter().map(Folded::new).collect();
    let queries: Vec<String> = (0..QUERIES).map(|_| query(&mut rng, &rows)).collect();
    let (mut found_some, mut found_none) = (0, 0);
    // The reference is slow in a debug build: both cores share it.
    std::thread::scope(|scope| {
        let halves: Vec<_> = queries
            .chunks(QUERIES / 2)
            .map(|chunk| {
                let (rows, folded, haystack) = (&rows, &folded, &haystack);
                scope.spawn(move || {
                    let mut counts = (0, 0);
                    for q in chunk {
                        let got = haystack.matches(&Query::new(q));
                        let want = brute_force(folded, q);
                        if let Some(i) = (0..rows.len()).find(|&i| got[i] != want[i]) {
                            panic!(
                                "query {q:?}: scan {}, reference {}, row {:?}",
                                got[i], want[i], rows[i]
                            );
                        }
                        if got.iter().any(|h| *h) {
                            counts.0 += 1;
                        } else {
                            counts.1 += 1;
                        }
                    }
                    counts
                })
            })
            .collect();
        for half in halves {
            let (some, none) = half.join().unwrap();
            found_some += some;
            found_none += none;
        }
    });
    // The queries are worth something: most find rows, some find none.
    assert!(
        found_some > QUERIES / 2 && found_none > 20,
        "{found_some} found, {found_none} not"
    );
}

#[test]
fn a_saved_record_is_found_by_the_next_query() {
    let dir = tempfile::tempdir().unwrap();
    let files = AccountFiles::new(dir.path(), "https://crm.example.com", "ann");
    let local = match LocalData::unlock(
        &files,
        "Quartz-Meadow#7919",
        true,
        None,
        KdfParams::minimal(),
    )
    .unwrap()
    {
        Unlock::Opened(local) => local,
        Unlock::NeedsPreviousPassword => panic!("a new store needs no earlier password"),
    };
    let id = local
        .save(
            Entity::Customer,
            None,
            json!({"name": "深圳云帆科技有限公司", "phone": "+86 138 0013 8000"}),
        )
        .unwrap();
    assert_eq!(
        local.search_ids(Entity::Customer, "云帆", 10).unwrap(),
        std::slice::from_ref(&id)
    );
    assert_eq!(
        local
            .search_ids(Entity::Customer, "13800138000", 10)
            .unwrap(),
        std::slice::from_ref(&id)
    );
    local
        .save(
            Entity::Customer,
            Some(&id),
            json!({"name": "Northwind Trading", "phone": "+86 138 0013 8000"}),
        )
        .unwrap();
    assert!(
        local
            .search_ids(Entity::Customer, "云帆", 10)
            .unwrap()
            .is_empty(),
        "the old name is gone"
    );
    assert_eq!(
        local
            .search_ids(Entity::Customer, "ＮＯＲＴＨ", 10)
            .unwrap(),
        std::slice::from_ref(&id)
    );
    local.delete(&id).unwrap();
    assert!(
        local
            .search_ids(Entity::Customer, "north", 10)
            .unwrap()
            .is_empty(),
        "deleted"
    );
    assert!(
        local
            .search(Entity::Contact, "north", 10)
            .unwrap()
            .is_empty(),
        "other sections apart"
    );
}
