//! Generated CRM records for the demo organisation: a realistic mix of
//! Chinese and English companies, contacts, deals and activities. The same
//! seed gives the same data, so screenshots and benchmarks are repeatable.

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use relay_protocol::crm::Entity;
use serde_json::{Value, json};

use crate::data::Db;

const CITIES: &[&str] = &[
    "上海", "北京", "深圳", "杭州", "广州", "成都", "苏州", "南京", "武汉", "西安", "天津", "重庆",
    "厦门", "青岛", "宁波", "长沙",
];
const CN_WORDS: &[&str] = &[
    "华信", "恒通", "远景", "瑞丰", "天成", "博达", "新元", "中科", "金桥", "德润", "宏图", "启明",
    "海川", "云帆", "长风", "汇通", "锦程", "盛达", "安泰", "鼎新",
];
/// A company's kind and the industry it is in (an index of INDUSTRIES).
const CN_KINDS: &[(&str, usize)] = &[
    ("科技有限公司", 4),
    ("贸易有限公司", 2),
    ("物流股份有限公司", 1),
    ("制造有限公司", 0),
    ("信息技术有限公司", 4),
    ("医疗器械有限公司", 3),
    ("新能源有限公司", 7),
    ("教育咨询有限公司", 6),
];
const EN_WORDS: &[&str] = &[
    "Northwind",
    "Bluestone",
    "Harbor",
    "Summit",
    "Evergreen",
    "Silverline",
    "Brightpath",
    "Cedar",
    "Granite",
    "Oakridge",
    "Redwood",
    "Lakeside",
    "Ironbridge",
    "Sunrise",
    "Westfield",
    "Maple",
    "Falcon",
    "Riverside",
    "Crescent",
    "Pinecrest",
    "Starlight",
    "Highland",
    "Goldcoast",
    "Beacon",
];
/// Between an English company's word and kind ("Harbor Bay Logistics Inc"),
/// or nothing.
const EN_PLACES: &[&str] = &["", "Bay", "Valley", "Hill", "Point", "Park"];
const EN_KINDS: &[(&str, usize)] = &[
    ("Trading Ltd", 2),
    ("Logistics Inc", 1),
    ("Systems GmbH", 4),
    ("Foods Co", 2),
    ("Manufacturing Ltd", 0),
    ("Health Pte Ltd", 3),
    ("Capital Partners", 5),
    ("Energy Corp", 7),
    ("Learning Ltd", 6),
];
/// English, Chinese.
const INDUSTRIES: &[(&str, &str)] = &[
    ("Manufacturing", "制造业"),
    ("Logistics", "物流"),
    ("Retail and trade", "零售贸易"),
    ("Healthcare", "医疗"),
    ("Software", "软件"),
    ("Finance", "金融"),
    ("Education", "教育"),
    ("Energy", "能源"),
];
const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "丽",
];
const FIRST: &[&str] = &[
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Sophia", "James",
];
const LAST: &[&str] = &[
    "Smith", "Müller", "Tanaka", "Garcia", "Brown", "Lee", "Martin", "Wilson",
];
const TITLES: &[(&str, &str)] = &[
    ("Purchasing Manager", "采购经理"),
    ("General Manager", "总经理"),
    ("Head of IT", "IT 主管"),
    ("Finance Director", "财务总监"),
    ("Head of Operations", "运营总监"),
    ("CTO", "技术总监"),
    ("Buyer", "采购专员"),
];
const DEALS: &[(&str, &str)] = &[
    ("ERP upgrade", "ERP 升级"),
    ("Warehouse system", "仓储系统"),
    ("Annual maintenance contract", "年度维护合同"),
    ("CRM rollout", "CRM 上线"),
    ("Fleet tracking", "车队定位"),
    ("Data platform", "数据平台"),
    ("Training services", "培训服务"),
];
const KINDS: &[&str] = &["call", "meeting", "task", "note"];
const SUBJECTS: &[(&str, &str)] = &[
    ("Follow-up call", "电话回访"),
    ("Send the quote", "发送报价"),
    ("Site visit", "现场拜访"),
    ("Send proposal", "发送方案"),
    ("Contract review", "合同审核"),
    ("Product demo", "产品演示"),
];

/// The language the demo's words (industries, job titles, deal titles,
/// activity subjects) are in: the person trying the demo reads them.
/// Company and people's names stay a mix, as in any Chinese company's CRM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoLanguage {
    English,
    Chinese,
}

impl DemoLanguage {
    /// From a locale tag (`zh-CN`, `en-US`, `zh_CN.UTF-8`); English unless Chinese.
    pub fn from_tag(tag: &str) -> Self {
        if tag.to_ascii_lowercase().starts_with("zh") {
            DemoLanguage::Chinese
        } else {
            DemoLanguage::English
        }
    }

    fn word(self, (en, zh): (&'static str, &'static str)) -> &'static str {
        match self {
            DemoLanguage::English => en,
            DemoLanguage::Chinese => zh,
        }
    }
}

fn pick<T: Copy>(rng: &mut StdRng, list: &[T]) -> T {
    list[rng.gen_range(0..list.len())]
}

fn phone(rng: &mut StdRng) -> String {
    format!(
        "+86 1{}{} {:04} {:04}",
        rng.gen_range(3..9),
        rng.gen_range(0..10),
        rng.gen_range(0..10000),
        rng.gen_range(0..10000)
    )
}

/// A company name not given before (and its industry): a few random
/// draws, then the first free combination, then a numbered branch (only
/// past the thousands of combinations, as in the 100 000-row benchmarks).
fn company(rng: &mut StdRng, chinese: bool, names: &mut Names) -> (String, usize) {
    let used = &mut names.used;
    let make = |place: &str, word: &str, kind: &str| match (chinese, place) {
        (true, _) => format!("{place}{word}{kind}"),
        (false, "") => format!("{word} {kind}"),
        (false, _) => format!("{word} {place} {kind}"),
    };
    let (kinds, words, places) = if chinese {
        (CN_KINDS, CN_WORDS, CITIES)
    } else {
        (EN_KINDS, EN_WORDS, EN_PLACES)
    };
    for _ in 0..8 {
        let (kind, industry) = pick(rng, kinds);
        let name = make(pick(rng, places), pick(rng, words), kind);
        if used.insert(name.clone()) {
            return (name, industry);
        }
    }
    // Once every combination of a kind is taken, it stays so: skip the walk.
    let full = &mut names.full[usize::from(chinese)];
    for city in places.iter().filter(|_| !*full) {
        for word in words {
            for (kind, industry) in kinds {
                let name = make(city, word, kind);
                if used.insert(name.clone()) {
                    return (name, *industry);
                }
            }
        }
    }
    *full = true;
    let (kind, industry) = pick(rng, kinds);
    let base = make(pick(rng, places), pick(rng, words), kind);
    names.next += 1;
    let name = format!("{base} {}", names.next);
    names.used.insert(name.clone());
    (name, industry)
}

/// The company names given so far.
#[derive(Default)]
struct Names {
    used: HashSet<String>,
    /// Every combination taken: English, Chinese.
    full: [bool; 2],
    /// The last branch number given (unique across all names).
    next: usize,
}

/// A deal amount as pipelines have them: many small, a few large (log-
/// uniform from 5 000 to 2 000 000), rounded to hundreds.
fn amount(rng: &mut StdRng) -> f64 {
    let exponent = rng.gen_range(5_000f64.log10()..2_000_000f64.log10());
    (10f64.powf(exponent) / 100.0).round() * 100.0
}

/// A stage as a pipeline narrows: more leads than negotiations; about a
/// quarter of the deals closed (mostly lost).
fn stage(rng: &mut StdRng) -> &'static str {
    match rng.gen_range(0..100) {
        0..30 => "lead",
        30..50 => "qualified",
        50..65 => "proposal",
        65..75 => "negotiation",
        75..85 => "won",
        _ => "lost",
    }
}

/// `customers` companies, each with 2 contacts, about 1 deal and 2
/// activities. Owners are drawn from `owners` (user ids).
/// Dates are spread around `now`: closed deals closed in the last half
/// year, open ones expected in the next four months (early stages later).
pub fn generate(
    customers: usize,
    owners: &[String],
    seed: u64,
    now: chrono::DateTime<chrono::Utc>,
    language: DemoLanguage,
) -> Vec<(Entity, uuid::Uuid, Value)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(customers * 6);
    let mut names = Names::default();
    // The reader's companies are the majority.
    let chinese_share = if language == DemoLanguage::Chinese {
        0.7
    } else {
        0.35
    };
    for i in 0..customers {
        let id = uuid::Builder::from_random_bytes(rng.r#gen()).into_uuid();
        let chinese = rng.gen_bool(chinese_share);
        let (name, industry) = company(&mut rng, chinese, &mut names);
        let owner = owners.get(i % owners.len().max(1)).cloned();
        let domain = format!("c{i}.example.com");
        out.push((
            Entity::Customer,
            id,
            json!({"name": name, "industry": language.word(INDUSTRIES[industry]), "phone": phone(&mut rng),
                   "email": format!("info@{domain}"), "website": format!("https://{domain}"),
                   "address": if chinese { format!("{}市 {}路 {} 号", pick(&mut rng, CITIES), pick(&mut rng, CN_WORDS), rng.gen_range(1..999)) } else { format!("{} Harbour Road", rng.gen_range(1..300)) },
                   "owner_id": owner, "tags": if i % 7 == 0 { vec!["vip"] } else { vec![] }}),
        ));
        for _ in 0..2 {
            let person = if chinese {
                format!("{}{}", pick(&mut rng, SURNAMES), pick(&mut rng, GIVEN))
            } else {
                format!("{} {}", pick(&mut rng, FIRST), pick(&mut rng, LAST))
            };
            out.push((
                Entity::Contact,
                uuid::Builder::from_random_bytes(rng.r#gen()).into_uuid(),
                json!({"customer_id": id.to_string(), "name": person, "title": language.word(pick(&mut rng, TITLES)),
                       "phone": phone(&mut rng), "email": format!("p{}@{domain}", rng.gen_range(1..99))}),
            ));
        }
        if rng.gen_bool(0.8) {
            let stage = stage(&mut rng);
            let days = match stage {
                "won" | "lost" => rng.gen_range(-180..0),
                "negotiation" | "proposal" => rng.gen_range(0..60),
                _ => rng.gen_range(20..120),
            };
            let close = (now + chrono::Duration::days(days))
                .format("%Y-%m-%d")
                .to_string();
            out.push((
                Entity::Deal,
                uuid::Builder::from_random_bytes(rng.r#gen()).into_uuid(),
                json!({"customer_id": id.to_string(), "title": language.word(pick(&mut rng, DEALS)),
                       "amount": amount(&mut rng), "currency": "CNY",
                       "stage": stage, "expected_close": close, "owner_id": owners.get(i % owners.len().max(1))}),
            ));
        }
        for _ in 0..2 {
            let due = now + chrono::Duration::hours(rng.gen_range(-240..480));
            out.push((
                Entity::Activity,
                uuid::Builder::from_random_bytes(rng.r#gen()).into_uuid(),
                json!({"kind": pick(&mut rng, KINDS), "subject": language.word(pick(&mut rng, SUBJECTS)), "customer_id": id.to_string(),
                       "due_at": due.to_rfc3339(), "done": due < now && rng.gen_bool(0.6),
                       "owner_id": owners.get(i % owners.len().max(1))}),
            ));
        }
    }
    out
}

/// Stores `records` for `org_id`, as version 1, unless the organisation
/// already has records. Returns how many were added.
pub async fn insert(
    db: &Db,
    org_id: &str,
    user_id: &str,
    records: &[(Entity, uuid::Uuid, Value)],
) -> anyhow::Result<usize> {
    let rows: Vec<(&str, String, &Value)> = records
        .iter()
        .map(|(entity, id, data)| (entity.as_str(), id.to_string(), data))
        .collect();
    Ok(crate::data::records::seed(db, org_id, user_id, &rows).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_records_are_valid_and_repeatable() {
        let owners = vec![uuid::Uuid::nil().to_string()];
        let now = chrono::Utc::now();
        let a = generate(50, &owners, 7, now, DemoLanguage::Chinese);
        assert!(
            a == generate(50, &owners, 7, now, DemoLanguage::Chinese),
            "the same seed gives the same records"
        );
        assert!(a.len() > 250);
        for (entity, _, data) in &a {
            let errors = relay_protocol::crm::validate(*entity, data, None);
            assert!(errors.is_empty(), "{entity:?} {data}: {errors:?}");
        }
        assert!(
            a.iter()
                .any(|(_, _, d)| d["name"].as_str().is_some_and(|n| n.contains("有限公司")))
        );
        assert!(
            a.iter()
                .any(|(_, _, d)| d["name"].as_str().is_some_and(|n| n.ends_with("Ltd")))
        );
    }

    fn customers(records: &[(Entity, uuid::Uuid, Value)]) -> Vec<&Value> {
        records
            .iter()
            .filter(|(e, _, _)| *e == Entity::Customer)
            .map(|(_, _, d)| d)
            .collect()
    }

    #[test]
    fn names_are_unique_and_industries_in_the_readers_language() {
        let owners = vec![uuid::Uuid::nil().to_string()];
        let now = chrono::Utc::now();
        for (language, industries) in [
            (
                DemoLanguage::English,
                INDUSTRIES.iter().map(|i| i.0).collect::<Vec<_>>(),
            ),
            (
                DemoLanguage::Chinese,
                INDUSTRIES.iter().map(|i| i.1).collect::<Vec<_>>(),
            ),
        ] {
            let all = generate(crate::demo::CUSTOMERS, &owners, 2026, now, language);
            let names: HashSet<&str> = customers(&all)
                .iter()
                .map(|d| d["name"].as_str().unwrap())
                .collect();
            assert_eq!(
                names.len(),
                crate::demo::CUSTOMERS,
                "{language:?}: a company name twice"
            );
            assert!(
                names.iter().all(|n| !n.ends_with(char::is_numeric)),
                "no numbered names in the demo"
            );
            for d in customers(&all) {
                assert!(
                    industries.contains(&d["industry"].as_str().unwrap()),
                    "{language:?}: {d}"
                );
            }
            // A manufacturer is in manufacturing.
            for d in customers(&all) {
                let name = d["name"].as_str().unwrap();
                if name.ends_with("Manufacturing Ltd") || name.ends_with("制造有限公司") {
                    assert_eq!(d["industry"], language.word(INDUSTRIES[0]));
                }
            }
        }
        // 100 000 for the benchmarks: still unique (numbered past the combinations).
        let big = generate(100_000, &owners, 1, now, DemoLanguage::Chinese);
        let names: HashSet<&str> = customers(&big)
            .iter()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 100_000);
    }

    #[test]
    fn the_pipeline_narrows_and_amounts_spread() {
        let owners = vec![uuid::Uuid::nil().to_string()];
        let now = chrono::Utc::now();
        let all = generate(2_000, &owners, 3, now, DemoLanguage::English);
        let deals: Vec<&Value> = all
            .iter()
            .filter(|(e, _, _)| *e == Entity::Deal)
            .map(|(_, _, d)| d)
            .collect();
        let count = |s: &str| deals.iter().filter(|d| d["stage"] == s).count();
        assert!(count("lead") > count("qualified") && count("qualified") > count("negotiation"));
        let today = now.format("%Y-%m-%d").to_string();
        for d in &deals {
            let close = d["expected_close"].as_str().unwrap();
            let closed = d["stage"] == "won" || d["stage"] == "lost";
            assert_eq!(closed, close < today.as_str(), "{d}");
        }
        let mut amounts: Vec<f64> = deals
            .iter()
            .map(|d| d["amount"].as_f64().unwrap())
            .collect();
        amounts.sort_by(f64::total_cmp);
        let median = amounts[amounts.len() / 2];
        assert!(median < 200_000.0, "most deals are small: median {median}");
        assert!(amounts[amounts.len() - 1] > 1_000_000.0, "a few are large");
    }
}
