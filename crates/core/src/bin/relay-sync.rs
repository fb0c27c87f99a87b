//! `relay-sync`: sync one account's local store with its server, headless —
//! for scripts, for a quick look at what a device holds, and for the crash
//! tests, which kill it mid-push.
//!
//! relay-sync --server URL --login LOGIN --data-dir DIR [--edits N] [--seed S] < password

use std::io::Read;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use relay_core::store::{AccountFiles, Store};
use relay_core::sync::sync;
use relay_core::transport::origin;
use relay_core::vault::KdfParams;
use relay_core::{Api, Session};
use relay_protocol::api::LoginResponse;
use relay_protocol::crm::Entity;
use serde_json::json;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(server), Some(login), Some(dir)) = (
        arg(&args, "--server"),
        arg(&args, "--login"),
        arg(&args, "--data-dir"),
    ) else {
        eprintln!(
            "usage: relay-sync --server URL --login LOGIN --data-dir DIR [--edits N] [--seed S] < password"
        );
        std::process::exit(2);
    };
    let edits: usize = arg(&args, "--edits")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let seed: u64 = arg(&args, "--seed")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut password = String::new();
    if std::io::stdin().read_to_string(&mut password).is_err() {
        eprintln!("relay-sync: cannot read the password from standard input");
        std::process::exit(2);
    }
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    if let Err(e) = run(&server, &login, &dir, &password, edits, seed).await {
        eprintln!("relay-sync: {e}");
        std::process::exit(1);
    }
}

async fn run(
    server: &str,
    login: &str,
    dir: &str,
    password: &str,
    edits: usize,
    seed: u64,
) -> Result<(), String> {
    let api = Api::new(server).map_err(|e| e.to_string())?;
    let pair = match api
        .login(login, password, "relay-sync")
        .await
        .map_err(|e| e.to_string())?
    {
        LoginResponse::Session(pair) => pair,
        LoginResponse::Mfa(_) => {
            return Err("this account needs two-step sign-in, which relay-sync does not do".into());
        }
    };
    let session = Session::new(api.clone(), &pair);
    let files = AccountFiles::new(std::path::Path::new(dir), &origin(api.base()), login);
    let mut store =
        Store::unlock(&files, password, KdfParams::default()).map_err(|e| e.to_string())?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut known: Vec<String> = store.ids(Entity::Customer).map_err(|e| e.to_string())?;
    for _ in 0..edits {
        // Half new companies, half edits of ones we have; `edits` counts
        // the edits each record received, for the crash tests to check.
        if known.is_empty() || rng.gen_bool(0.5) {
            let id = uuid::Uuid::new_v4().to_string();
            store
                .edit(
                    Entity::Customer,
                    &id,
                    Some(json!({"name": format!("Firma {}", &id[..8]), "edits": 1})),
                )
                .map_err(|e| e.to_string())?;
            known.push(id);
        } else {
            let id = known[rng.gen_range(0..known.len())].clone();
            let current = store
                .get(&id)
                .map_err(|e| e.to_string())?
                .map(|r| r.data)
                .unwrap_or_default();
            let n = current["edits"].as_i64().unwrap_or(0) + 1;
            store
                .edit(
                    Entity::Customer,
                    &id,
                    Some(json!({"name": current["name"], "edits": n})),
                )
                .map_err(|e| e.to_string())?;
        }
    }
    let report = sync(&mut store, &session)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{}",
        json!({"pushed": report.pushed, "pulled": report.pulled, "conflicts": report.conflicts,
               "rejected": report.rejected, "pending": store.pending().map_err(|e| e.to_string())?})
    );
    Ok(())
}
