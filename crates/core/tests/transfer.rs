//! Export and import through real encrypted stores: 10 000 records
//! exported as CSV in a zip and imported into another account's store come
//! back field by field (contacts linked to the same companies); importing
//! again flags every row as a duplicate; JSON holds the same; a GB18030
//! file made by iconv with Chinese headers imports; broken files are
//! refused whole and import nothing; a cancelled export leaves no file.

use std::collections::HashMap;
use std::io::Read;
use std::process::Command;

use relay_core::local::{LocalData, Unlock};
use relay_core::store::{AccountFiles, Record};
use relay_core::transfer::export::{self, Format, Labels, Section};
use relay_core::transfer::import::{self, Existing, ImportError};
use relay_core::transfer::{Field, Progress};
use relay_core::vault::KdfParams;
use relay_protocol::crm::Entity;
use serde_json::{Value, json};

const CUSTOMERS: usize = 6_000;
const CONTACTS: usize = 4_000;

fn store(dir: &std::path::Path, login: &str) -> LocalData {
    let files = AccountFiles::new(dir, "https://crm.example.com", login);
    match LocalData::unlock(
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
    }
}

/// Headers as the app writes them in Chinese.
fn chinese(_: Entity, field: Field) -> String {
    match field {
        Field::Id => "ID",
        Field::Name => "名称",
        Field::Industry => "行业",
        Field::Phone => "电话",
        Field::Email => "邮箱",
        Field::Address => "地址",
        Field::Website => "网站",
        Field::Tags => "标签",
        Field::Notes => "备注",
        Field::Owner => "负责人",
        Field::Customer => "客户",
        Field::CustomerId => "客户 ID",
        Field::JobTitle => "职务",
        _ => "其他",
    }
    .to_string()
}

const OWNER: &str = "00000000-0000-4000-8000-0000000000aa";

fn fill(local: &LocalData) -> Vec<String> {
    let awkward = [
        "Smith, Jones & Co",
        "“引号” \"quoted\" Ltd",
        "=HYPERLINK(\"x\")",
        "two\nlines",
        "-minus",
        "'apostrophe",
    ];
    let mut customer_ids = Vec::new();
    for i in 0..CUSTOMERS {
        let name = match awkward.get(i) {
            Some(awkward) => format!("{awkward} {i}"),
            _ if i % 2 == 0 => format!("深圳云帆科技有限公司 {i}"),
            _ => format!("Northwind Trading {i}"),
        };
        let mut data = json!({ "name": name, "owner_id": OWNER });
        if i % 3 != 0 {
            data["phone"] = json!(format!("+86 138 {:04} {:04}", i / 100, i % 10_000));
            data["industry"] = json!(if i % 2 == 0 { "制造业" } else { "Retail" });
            data["tags"] = json!(["vip", format!("区域{}", i % 7)]);
        }
        if i % 4 == 0 {
            data["email"] = json!(format!("sales{i}@example.cn"));
            data["address"] = json!("广东省深圳市南山区科技园, 3F");
            data["website"] = json!("example.cn");
            data["notes"] = json!("Met at the fair.\r\n下周回访");
        }
        customer_ids.push(local.save(Entity::Customer, None, data).unwrap());
    }
    for i in 0..CONTACTS {
        let mut data =
            json!({ "name": format!("王经理 {i}"), "customer_id": customer_ids[i % CUSTOMERS] });
        if i % 2 == 0 {
            data["title"] = json!("采购总监");
            data["email"] = json!(format!("wang{i}@example.cn"));
        }
        if i % 5 == 0 {
            data["phone"] = json!("(0755) 2878-0808");
        }
        local.save(Entity::Contact, None, data).unwrap();
    }
    customer_ids
}

fn by_name(local: &LocalData, entity: Entity) -> HashMap<String, Record> {
    local
        .records(entity)
        .unwrap()
        .into_iter()
        .map(|r| (r.data["name"].as_str().unwrap().to_string(), r))
        .collect()
}

fn export_all(local: &LocalData, path: &std::path::Path, format: Format) -> usize {
    let sections: Vec<Section> = Entity::ALL
        .into_iter()
        .map(|entity| Section {
            entity,
            records: local.records(entity).unwrap(),
        })
        .collect();
    let customers = local.customer_names().unwrap();
    let labels = Labels {
        customers: &customers,
        header: &chinese,
    };
    export::write(path, format, &sections, &labels, &Progress::new()).unwrap()
}

fn unzip(path: &std::path::Path, name: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut bytes = Vec::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    bytes
}

/// Reads, maps by header, checks and imports a file: (imported, flagged
/// duplicates, contacts whose company was not found).
fn import_file(local: &LocalData, entity: Entity, bytes: &[u8]) -> (usize, usize, usize) {
    let file = import::read(bytes).unwrap();
    let mapping = import::guess(entity, &file.headers);
    let existing = Existing::new(
        &local.rows(entity).unwrap(),
        &local.rows(Entity::Customer).unwrap(),
    );
    let checked = import::check(entity, &file, &mapping, &existing, Some(OWNER));
    for c in &checked {
        assert!(c.errors.is_empty(), "line {}: {:?}", c.line, c.errors);
    }
    let duplicates = checked.iter().filter(|c| c.duplicate).count();
    let no_company = checked.iter().filter(|c| c.no_company).count();
    let rows: Vec<Value> = checked
        .into_iter()
        .filter(|c| !c.duplicate)
        .map(|c| c.data)
        .collect();
    let saved = local.import(entity, rows, &Progress::new()).unwrap();
    (saved.len(), duplicates, no_company)
}

#[test]
fn ten_thousand_records_come_back_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let a = store(dir.path(), "ann");
    fill(&a);
    let zip_path = dir.path().join("export.zip");
    assert_eq!(export_all(&a, &zip_path, Format::Csv), CUSTOMERS + CONTACTS);
    let customers_csv = unzip(&zip_path, "customers.csv");
    assert!(
        customers_csv.starts_with(b"\xef\xbb\xbf"),
        "UTF-8 with BOM for Excel"
    );
    assert!(
        String::from_utf8_lossy(&customers_csv).contains("'=HYPERLINK"),
        "a formula is defused"
    );

    let b = store(dir.path(), "bob");
    assert_eq!(
        import_file(&b, Entity::Customer, &customers_csv),
        (CUSTOMERS, 0, 0)
    );
    let contacts_csv = unzip(&zip_path, "contacts.csv");
    assert_eq!(
        import_file(&b, Entity::Contact, &contacts_csv),
        (CONTACTS, 0, 0)
    );

    let (before, after) = (by_name(&a, Entity::Customer), by_name(&b, Entity::Customer));
    assert_eq!(after.len(), CUSTOMERS);
    for (name, original) in &before {
        let copy = &after[name];
        assert_ne!(copy.id, original.id, "imported records are new records");
        assert_eq!(copy.data, original.data, "{name}");
    }
    let names_a = a.customer_names().unwrap();
    let names_b = b.customer_names().unwrap();
    let (before, after) = (by_name(&a, Entity::Contact), by_name(&b, Entity::Contact));
    assert_eq!(after.len(), CONTACTS);
    for (name, original) in &before {
        let mut copy = after[name].data.clone();
        let mut original = original.data.clone();
        // Linked to the same company, by the new store's id.
        let company = |data: &mut Value, names: &HashMap<String, String>| {
            let id = data["customer_id"].take();
            names[id.as_str().unwrap()].clone()
        };
        assert_eq!(
            company(&mut copy, &names_b),
            company(&mut original, &names_a)
        );
        assert_eq!(copy, original, "{name}");
    }

    // Importing the same file again: every row is a likely duplicate.
    assert_eq!(
        import_file(&b, Entity::Customer, &customers_csv),
        (0, CUSTOMERS, 0)
    );
    assert_eq!(b.records(Entity::Customer).unwrap().len(), CUSTOMERS);

    // Contacts into a store without their companies: imported unlinked, said.
    let c = store(dir.path(), "cy");
    assert_eq!(
        import_file(&c, Entity::Contact, &contacts_csv),
        (CONTACTS, 0, CONTACTS)
    );

    // JSON: every record with its id and fields as the API has them.
    let json_path = dir.path().join("export.json");
    assert_eq!(
        export_all(&a, &json_path, Format::Json),
        CUSTOMERS + CONTACTS
    );
    let doc: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(doc["format"], "relay-crm-export");
    let customers = doc["customers"].as_array().unwrap();
    assert_eq!(customers.len(), CUSTOMERS);
    let first = &customers[0];
    let original = a.get(first["id"].as_str().unwrap()).unwrap().unwrap();
    for (k, v) in original.data.as_object().unwrap() {
        assert_eq!(&first[k], v, "{k}");
    }
    assert_eq!(doc["contacts"].as_array().unwrap().len(), CONTACTS);
}

#[test]
fn a_gb18030_file_with_chinese_headers_imports() {
    let dir = tempfile::tempdir().unwrap();
    let utf8 = dir.path().join("utf8.csv");
    std::fs::write(
        &utf8,
        "客户名称,联系电话,电子邮箱,所属行业,备注\r\n\
         深圳云帆科技有限公司,0755-2878 0808,info@yunfan.cn,制造业,\"老客户，年底续约\"\r\n\
         上海恒通物流有限公司,+86 21 6888 0000,,物流,\r\n",
    )
    .unwrap();
    let out = Command::new("iconv")
        .args(["-f", "UTF-8", "-t", "GB18030"])
        .arg(&utf8)
        .output()
        .expect("iconv (libc-bin) is installed");
    assert!(out.status.success());
    assert!(
        std::str::from_utf8(&out.stdout).is_err(),
        "really not UTF-8"
    );
    let local = store(dir.path(), "ann");
    let file = import::read(&out.stdout).unwrap();
    assert_eq!(file.encoding, import::SourceEncoding::Gb18030);
    assert_eq!(
        import_file(&local, Entity::Customer, &out.stdout),
        (2, 0, 0)
    );
    let rows = by_name(&local, Entity::Customer);
    let yunfan = &rows["深圳云帆科技有限公司"].data;
    assert_eq!(yunfan["phone"], "0755-2878 0808");
    assert_eq!(yunfan["industry"], "制造业");
    assert_eq!(yunfan["notes"], "老客户，年底续约");
    assert_eq!(
        rows["上海恒通物流有限公司"].data["phone"],
        "+86 21 6888 0000"
    );
}

#[test]
fn broken_files_are_refused_and_import_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let local = store(dir.path(), "ann");
    let mut big = b"name,phone\r\n".to_vec();
    while big.len() < 50 * 1024 * 1024 {
        big.extend_from_slice(b"Northwind Trading Ltd,+86 138 0013 8000\r\n");
    }
    let png = {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        b.extend((0..4096u32).map(|i| (i * 7919 % 251) as u8));
        b
    };
    type Case = (&'static str, Vec<u8>, fn(&ImportError) -> bool);
    let cases: Vec<Case> = vec![
        ("50 MB", big, |e| matches!(e, ImportError::TooLarge { .. })),
        ("binary", png, |e| matches!(e, ImportError::Binary)),
        (
            "unbalanced quotes",
            b"name,phone\r\nAcme,1380013\r\n\"Open quote,12345\r\nLast,123456\r\n".to_vec(),
            |e| matches!(e, ImportError::UnclosedQuote { line: 3 }),
        ),
        (
            "wrong column count",
            b"name,phone\r\nAcme,1380013\r\nToo,many,fields\r\n".to_vec(),
            |e| {
                matches!(
                    e,
                    ImportError::ColumnCount {
                        line: 3,
                        found: 3,
                        expected: 2
                    }
                )
            },
        ),
    ];
    for (what, bytes, expected) in cases {
        let e = import::read(&bytes).expect_err(what);
        assert!(expected(&e), "{what}: {e:?}");
    }
    assert!(local.records(Entity::Customer).unwrap().is_empty());
}

#[test]
fn a_cancelled_export_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let local = store(dir.path(), "ann");
    for i in 0..3_000 {
        local
            .save(Entity::Customer, None, json!({ "name": format!("C{i}") }))
            .unwrap();
    }
    let path = dir.path().join("out.zip");
    let progress = Progress::new();
    progress.cancel();
    let customers = HashMap::new();
    let labels = Labels {
        customers: &customers,
        header: &chinese,
    };
    let sections = [Section {
        entity: Entity::Customer,
        records: local.records(Entity::Customer).unwrap(),
    }];
    let result = export::write(&path, Format::Csv, &sections, &labels, &progress);
    assert!(matches!(result, Err(export::ExportError::Cancelled)));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("out"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
