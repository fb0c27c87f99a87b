//! Generated CRM records for the demo organisation: a realistic mix of
//! Chinese and English companies, contacts, deals and activities. The same
//! seed gives the same data, so screenshots and benchmarks are repeatable.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use relay_protocol::crm::Entity;
use serde_json::{Value, json};

use crate::data::Db;

const CITIES: &[&str] = &[
    "上海", "北京", "深圳", "杭州", "广州", "成都", "苏州", "南京", "武汉", "西安",
];
const CN_WORDS: &[&str] = &[
    "华信", "恒通", "远景", "瑞丰", "天成", "博达", "新元", "中科", "金桥", "德润", "宏图", "启明",
];
const CN_KINDS: &[&str] = &[
    "科技有限公司",
    "贸易有限公司",
    "物流股份有限公司",
    "制造有限公司",
    "信息技术有限公司",
    "医疗器械有限公司",
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
];
const EN_KINDS: &[&str] = &[
    "Trading Ltd",
    "Logistics Inc",
    "Systems GmbH",
    "Foods Co",
    "Manufacturing Ltd",
    "Health Pte Ltd",
];
const INDUSTRIES: &[&str] = &[
    "制造业",
    "物流",
    "零售",
    "医疗",
    "Software",
    "Finance",
    "Education",
    "能源",
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
const TITLES: &[&str] = &[
    "采购经理",
    "总经理",
    "IT 主管",
    "财务总监",
    "Head of Operations",
    "CTO",
    "Buyer",
];
const DEALS: &[&str] = &[
    "ERP 升级",
    "仓储系统",
    "年度维护合同",
    "CRM rollout",
    "Fleet tracking",
    "Data platform",
    "培训服务",
];
const STAGES: &[&str] = &[
    "lead",
    "qualified",
    "proposal",
    "negotiation",
    "won",
    "lost",
];
const KINDS: &[&str] = &["call", "meeting", "task", "note"];
const SUBJECTS: &[&str] = &[
    "电话回访",
    "发送报价",
    "现场拜访",
    "Follow-up call",
    "Send proposal",
    "Contract review",
    "产品演示",
];

fn pick<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
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

/// `customers` companies, each with 2 contacts, about 1 deal and 2
/// activities. Owners are drawn from `owners` (user ids).
/// Dates are spread around `now`.
pub fn generate(
    customers: usize,
    owners: &[String],
    seed: u64,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<(Entity, uuid::Uuid, Value)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(customers * 6);
    for i in 0..customers {
        let id = uuid::Builder::from_random_bytes(rng.r#gen()).into_uuid();
        let chinese = i % 3 != 2;
        let name = if chinese {
            format!(
                "{}{}{}",
                pick(&mut rng, CITIES),
                pick(&mut rng, CN_WORDS),
                pick(&mut rng, CN_KINDS)
            )
        } else {
            format!("{} {}", pick(&mut rng, EN_WORDS), pick(&mut rng, EN_KINDS))
        };
        let owner = owners.get(i % owners.len().max(1)).cloned();
        let domain = format!("c{i}.example.com");
        out.push((
            Entity::Customer,
            id,
            json!({"name": name, "industry": pick(&mut rng, INDUSTRIES), "phone": phone(&mut rng),
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
                json!({"customer_id": id.to_string(), "name": person, "title": pick(&mut rng, TITLES),
                       "phone": phone(&mut rng), "email": format!("p{}@{domain}", rng.gen_range(1..99))}),
            ));
        }
        if rng.gen_bool(0.8) {
            let close = (now + chrono::Duration::days(rng.gen_range(-30..120)))
                .format("%Y-%m-%d")
                .to_string();
            out.push((
                Entity::Deal,
                uuid::Builder::from_random_bytes(rng.r#gen()).into_uuid(),
                json!({"customer_id": id.to_string(), "title": pick(&mut rng, DEALS),
                       "amount": (rng.gen_range(5_000..2_000_000) / 100 * 100) as f64, "currency": "CNY",
                       "stage": pick(&mut rng, STAGES), "expected_close": close, "owner_id": owners.get(i % owners.len().max(1))}),
            ));
        }
        for _ in 0..2 {
            let due = now + chrono::Duration::hours(rng.gen_range(-240..480));
            out.push((
                Entity::Activity,
                uuid::Builder::from_random_bytes(rng.r#gen()).into_uuid(),
                json!({"kind": pick(&mut rng, KINDS), "subject": pick(&mut rng, SUBJECTS), "customer_id": id.to_string(),
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
        let a = generate(50, &owners, 7, now);
        assert!(
            a == generate(50, &owners, 7, now),
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
}
