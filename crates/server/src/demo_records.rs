//! Generated CRM records for the demo organisation: a realistic mix of
//! Chinese and English companies, contacts, deals and activities. The same
//! seed gives the same data, so screenshots and benchmarks are repeatable.
//!
//! Company names are built from parts (a city, a two-character trade name
//! and a kind for Chinese ones; a compound word, a place and a kind for
//! English ones). The parts give some 300 000 Chinese and 200 000 English
//! names, so even the 100 000-customer benchmark data has no numbered names.

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use relay_protocol::crm::Entity;
use serde_json::{Value, json};

use crate::data::Db;

const CITIES: &[&str] = &[
    "上海", "北京", "深圳", "杭州", "广州", "成都", "苏州", "南京", "武汉", "西安", "天津", "重庆",
    "厦门", "青岛", "宁波", "长沙", "郑州", "合肥", "福州", "济南", "大连", "沈阳", "昆明", "无锡",
    "东莞", "佛山", "常州", "温州", "珠海", "南昌",
];
/// The first and second character of a Chinese trade name ("华" + "信"),
/// each with its pinyin for the web address.
const CN_FIRST: &[(&str, &str)] = &[
    ("华", "hua"),
    ("恒", "heng"),
    ("远", "yuan"),
    ("瑞", "rui"),
    ("天", "tian"),
    ("博", "bo"),
    ("新", "xin"),
    ("中", "zhong"),
    ("金", "jin"),
    ("德", "de"),
    ("宏", "hong"),
    ("启", "qi"),
    ("海", "hai"),
    ("云", "yun"),
    ("长", "chang"),
    ("汇", "hui"),
    ("凯", "kai"),
    ("盛", "sheng"),
    ("安", "an"),
    ("鼎", "ding"),
    ("嘉", "jia"),
    ("永", "yong"),
    ("创", "chuang"),
    ("联", "lian"),
    ("正", "zheng"),
    ("东", "dong"),
    ("宇", "yu"),
    ("方", "fang"),
    ("同", "tong"),
    ("百", "bai"),
];
const CN_SECOND: &[(&str, &str)] = &[
    ("信", "xin"),
    ("通", "tong"),
    ("景", "jing"),
    ("丰", "feng"),
    ("成", "cheng"),
    ("达", "da"),
    ("元", "yuan"),
    ("科", "ke"),
    ("桥", "qiao"),
    ("润", "run"),
    ("图", "tu"),
    ("明", "ming"),
    ("川", "chuan"),
    ("帆", "fan"),
    ("盈", "ying"),
    ("泰", "tai"),
    ("和", "he"),
    ("力", "li"),
    ("业", "ye"),
    ("晟", "sheng"),
    ("越", "yue"),
    ("腾", "teng"),
    ("辉", "hui"),
    ("杰", "jie"),
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
    ("供应链管理有限公司", 1),
    ("机械设备有限公司", 0),
    ("投资管理有限公司", 5),
    ("商贸有限公司", 2),
    ("生物科技有限公司", 3),
    ("软件有限公司", 4),
];
/// The two halves of an English company's word ("North" + "wind").
const EN_FIRST: &[&str] = &[
    "North", "South", "East", "West", "Blue", "Silver", "Bright", "Oak", "Red", "Lake", "Iron",
    "Sun", "Pine", "Star", "High", "Gold", "Green", "Clear", "Fair", "Elm", "Ash", "Rock", "Frost",
    "Copper", "Amber", "Crown", "King", "Cedar", "Maple", "Hawk", "Fox", "Bear", "Wolf", "Eagle",
    "Spring", "Summer", "Birch", "Cliff",
];
const EN_SECOND: &[&str] = &[
    "wind", "stone", "line", "path", "ridge", "wood", "side", "bridge", "rise", "field", "crest",
    "light", "land", "gate", "brook", "view", "haven", "ford", "mont", "worth", "dale", "point",
    "well", "water", "stead",
];
/// Between an English company's word and kind ("Northwind Bay Logistics
/// Inc"), or nothing.
const EN_PLACES: &[&str] = &[
    "", "Bay", "Valley", "Hill", "Park", "River", "Harbor", "Lake", "Creek", "Coast", "Grove",
    "Meadow", "Island",
];
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
    ("Software Inc", 4),
    ("Freight Ltd", 1),
    ("Medical Group", 3),
    ("Industries Ltd", 0),
    ("Solar LLC", 7),
    ("Retail Group", 2),
    ("Finance Ltd", 5),
];
const STREETS: &[&str] = &["Road", "Street", "Avenue", "Lane", "Drive", "Way"];
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
/// A surname and its pinyin (for email addresses).
const SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("赵", "zhao"),
    ("黄", "huang"),
    ("周", "zhou"),
    ("吴", "wu"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
    ("罗", "luo"),
    ("高", "gao"),
];
/// A one-character given name and its pinyin; names take one or two.
const GIVEN: &[(&str, &str)] = &[
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("磊", "lei"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("丽", "li"),
    ("强", "qiang"),
    ("军", "jun"),
    ("平", "ping"),
    ("刚", "gang"),
    ("桂", "gui"),
    ("英", "ying"),
    ("华", "hua"),
    ("建", "jian"),
    ("文", "wen"),
    ("明", "ming"),
    ("玲", "ling"),
    ("霞", "xia"),
];
const FIRST: &[&str] = &[
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Sophia", "James", "Hannah",
    "Daniel", "Chloe", "Felix", "Grace", "Oliver", "Priya", "Mateo", "Yuki", "Anna",
];
const LAST: &[&str] = &[
    "Smith", "Müller", "Tanaka", "Garcia", "Brown", "Lee", "Martin", "Wilson", "Schmidt", "Rossi",
    "Kim", "Nguyen", "Taylor", "Dubois", "Novak", "Sato", "Clarke", "Fischer", "Silva", "Walsh",
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

/// A contact's name and the local part of their email address
/// ("王伟" / "wei.wang", "Emma Müller" / "emma.mueller").
fn person(rng: &mut StdRng, chinese: bool) -> (String, String) {
    if chinese {
        let (surname, surname_py) = pick(rng, SURNAMES);
        let (given, given_py) = pick(rng, GIVEN);
        if rng.gen_bool(0.6) {
            let (more, more_py) = pick(rng, GIVEN);
            (
                format!("{surname}{given}{more}"),
                format!("{given_py}{more_py}.{surname_py}"),
            )
        } else {
            (
                format!("{surname}{given}"),
                format!("{given_py}.{surname_py}"),
            )
        }
    } else {
        let (first, last) = (pick(rng, FIRST), pick(rng, LAST));
        let local = format!("{first}.{last}").to_lowercase().replace('ü', "ue");
        (format!("{first} {last}"), local)
    }
}

/// A generated company: its name, industry (an index of INDUSTRIES) and
/// the domain of its web site and email addresses. The domain is its
/// group's (the trade name or word alone: 上海华信科技 and 北京华信贸易 share
/// huaxin.example.cn), short enough for the list's email column.
struct Company {
    name: String,
    industry: usize,
    domain: String,
    address: String,
}

/// One random company of either language.
fn draw_company(rng: &mut StdRng, chinese: bool) -> Company {
    if chinese {
        let city = pick(rng, CITIES);
        let (first, first_py) = pick(rng, CN_FIRST);
        let (second, second_py) = pick(rng, CN_SECOND);
        let (kind, industry) = pick(rng, CN_KINDS);
        Company {
            name: format!("{city}{first}{second}{kind}"),
            industry,
            domain: format!("{first_py}{second_py}.example.cn"),
            address: format!(
                "{city}市{}{}路 {} 号",
                pick(rng, CN_FIRST).0,
                pick(rng, CN_SECOND).0,
                rng.gen_range(1..999)
            ),
        }
    } else {
        let word = format!("{}{}", pick(rng, EN_FIRST), pick(rng, EN_SECOND));
        let place = pick(rng, EN_PLACES);
        let (kind, industry) = pick(rng, EN_KINDS);
        let name = if place.is_empty() {
            format!("{word} {kind}")
        } else {
            format!("{word} {place} {kind}")
        };
        Company {
            name,
            industry,
            domain: format!("{}.example.com", word.to_lowercase()),
            address: format!(
                "{} {}{} {}",
                rng.gen_range(1..300),
                pick(rng, EN_FIRST),
                pick(rng, EN_SECOND),
                pick(rng, STREETS)
            ),
        }
    }
}

/// A company whose name was not given before. The parts allow several
/// times the 100 000 companies of the benchmarks, so a free name comes
/// within a few draws; only far past that is a branch number added.
fn company(rng: &mut StdRng, chinese: bool, used: &mut HashSet<String>) -> Company {
    let mut company = draw_company(rng, chinese);
    for _ in 0..64 {
        if used.insert(company.name.clone()) {
            return company;
        }
        company = draw_company(rng, chinese);
    }
    let mut branch = 2;
    while !used.insert(format!("{} {branch}", company.name)) {
        branch += 1;
    }
    company.name = format!("{} {branch}", company.name);
    company
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
    let mut names = HashSet::new();
    // The reader's companies are the majority.
    let chinese_share = if language == DemoLanguage::Chinese {
        0.7
    } else {
        0.35
    };
    for i in 0..customers {
        let id = uuid::Builder::from_random_bytes(rng.r#gen()).into_uuid();
        let chinese = rng.gen_bool(chinese_share);
        let Company {
            name,
            industry,
            domain,
            address,
        } = company(&mut rng, chinese, &mut names);
        let owner = owners.get(i % owners.len().max(1)).cloned();
        out.push((
            Entity::Customer,
            id,
            json!({"name": name, "industry": language.word(INDUSTRIES[industry]), "phone": phone(&mut rng),
                   "email": format!("info@{domain}"), "website": format!("https://www.{domain}"),
                   "address": address,
                   "owner_id": owner, "tags": if i % 7 == 0 { vec!["vip"] } else { vec![] }}),
        ));
        for _ in 0..2 {
            let (name, email) = person(&mut rng, chinese);
            out.push((
                Entity::Contact,
                uuid::Builder::from_random_bytes(rng.r#gen()).into_uuid(),
                json!({"customer_id": id.to_string(), "name": name, "title": language.word(pick(&mut rng, TITLES)),
                       "phone": phone(&mut rng), "email": format!("{email}@{domain}")}),
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
        let a = generate(500, &owners, 7, now, DemoLanguage::Chinese);
        assert!(
            a == generate(500, &owners, 7, now, DemoLanguage::Chinese),
            "the same seed gives the same records"
        );
        assert!(a.len() > 2500);
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
        // 100 000 for the benchmarks: still unique, with no numbered branch,
        // and every email short enough for the list's column (about 30
        // characters of the UI font; longer ones are cut off).
        for language in [DemoLanguage::Chinese, DemoLanguage::English] {
            let big = generate(100_000, &owners, 1, now, language);
            let big = customers(&big);
            let names: HashSet<&str> = big.iter().map(|d| d["name"].as_str().unwrap()).collect();
            assert_eq!(names.len(), 100_000, "{language:?}");
            assert!(
                names.iter().all(|n| !n.ends_with(char::is_numeric)),
                "{language:?}: a numbered name among 100 000"
            );
            for d in &big {
                let email = d["email"].as_str().unwrap();
                assert!(email.chars().count() <= 30, "{language:?}: {email}");
            }
        }
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
