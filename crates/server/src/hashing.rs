//! Argon2id password hashing on a bounded pool of worker threads.
//!
//! Each hash needs `m` KiB of memory and a core for ~30 ms. A fixed set of
//! threads (one per core by default) takes jobs from a queue, so a flood of
//! sign-ins waits in line instead of allocating memory for every request at
//! once — and, unlike tokio's blocking pool, never grows to hundreds of
//! threads each keeping its own malloc arena.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, mpsc};

use argon2::password_hash::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use crate::config::SecurityConfig;

type Job = Box<dyn FnOnce() + Send>;

/// Requests allowed to wait for a hash before further ones wait (async,
/// holding no thread) for room in the queue.
const QUEUE_SLOTS: usize = 1024;

#[derive(Clone)]
pub struct Hasher {
    queue: mpsc::Sender<Job>,
    slots: Arc<Semaphore>,
    params: Params,
    /// Verified against for unknown logins, so their answer takes as long.
    dummy_hash: Arc<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Wrong,
    Right { needs_rehash: bool },
}

thread_local! {
    /// Each worker keeps one Argon2 memory area and reuses it: memory stays
    /// at workers × m however many hashes run, instead of growing with the
    /// allocator's appetite for freed 19 MiB blocks.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

impl Hasher {
    pub fn new(config: &SecurityConfig) -> anyhow::Result<Self> {
        let params = Params::new(
            config.argon2_memory_kib,
            config.argon2_iterations,
            config.argon2_parallelism,
            None,
        )
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        let workers = match config.hash_workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let (queue, jobs) = mpsc::channel::<Job>();
        let jobs = Arc::new(Mutex::new(jobs));
        for i in 0..workers {
            let jobs = Arc::clone(&jobs);
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    loop {
                        let job = match jobs.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })?;
        }
        let dummy_hash = Arc::new(hash_now(&params, "relay-dummy-password-for-timing")?);
        Ok(Self {
            queue,
            slots: Arc::new(Semaphore::new(QUEUE_SLOTS)),
            params,
            dummy_hash,
        })
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        let permit = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .expect("the queue semaphore is never closed");
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
            drop(permit);
        });
        self.queue
            .send(job)
            .expect("hash worker threads live as long as the server");
        rx.await
            .expect("hash worker threads live as long as the server")
    }

    /// The PHC string of `password` (NFKC-normalised first).
    pub async fn hash(&self, password: &SecretString) -> anyhow::Result<String> {
        let params = self.params.clone();
        let password = relay_protocol::normalize_password(password.expose_secret());
        self.run(move || hash_now(&params, &password)).await
    }

    pub async fn verify(&self, password: &SecretString, phc: &str) -> Verdict {
        let params = self.params.clone();
        let password = relay_protocol::normalize_password(password.expose_secret());
        let phc = phc.to_owned();
        self.run(move || verify_now(&params, &password, &phc)).await
    }

    /// Spends the time of one verification and always says no.
    pub async fn verify_dummy(&self, password: &SecretString) -> Verdict {
        let _ = self.verify(password, &self.dummy_hash.clone()).await;
        Verdict::Wrong
    }
}

/// Argon2id of `password` into `out`, in this thread's reused memory.
fn derive(params: &Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> anyhow::Result<()> {
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        let blocks = params.block_count();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        argon2
            .hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
}

fn hash_now(params: &Params, password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let mut out = [0u8; 32];
    derive(params, password.as_bytes(), &salt, &mut out)?;
    Ok(format!(
        "$argon2id$v=19$m={},t={},p={}${}${}",
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(out)
    ))
}

fn verify_now(params: &Params, password: &str, phc: &str) -> Verdict {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return Verdict::Wrong;
    };
    let (Ok(stored), Some(salt), Some(expected)) =
        (Params::try_from(&parsed), parsed.salt, parsed.hash)
    else {
        return Verdict::Wrong;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return Verdict::Wrong;
    }
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return Verdict::Wrong;
    };
    let mut out = vec![0u8; expected.len()];
    // The stored hash's own parameters: an old hash still verifies.
    if derive(&stored, password.as_bytes(), salt, &mut out).is_err() {
        return Verdict::Wrong;
    }
    if !crate::crypto::equal_bytes(&out, expected.as_bytes()) {
        return Verdict::Wrong;
    }
    let needs_rehash = stored.m_cost() != params.m_cost()
        || stored.t_cost() != params.t_cost()
        || stored.p_cost() != params.p_cost();
    Verdict::Right { needs_rehash }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap(m: u32) -> SecurityConfig {
        SecurityConfig {
            argon2_memory_kib: m,
            argon2_iterations: 1,
            ..SecurityConfig::default()
        }
    }

    #[tokio::test]
    async fn verifies_and_asks_for_a_rehash_when_parameters_change() {
        let old = Hasher::new(&cheap(1024)).unwrap();
        let pw = SecretString::from("Tq7#mV2!pLx9");
        let phc = old.hash(&pw).await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert_eq!(
            old.verify(&pw, &phc).await,
            Verdict::Right {
                needs_rehash: false
            }
        );
        assert_eq!(
            old.verify(&SecretString::from("nope"), &phc).await,
            Verdict::Wrong
        );
        let new = Hasher::new(&cheap(2048)).unwrap();
        assert_eq!(
            new.verify(&pw, &phc).await,
            Verdict::Right { needs_rehash: true }
        );
        assert_eq!(new.verify_dummy(&pw).await, Verdict::Wrong);
    }

    #[tokio::test]
    async fn hashes_are_standard_phc_strings_that_the_argon2_crate_verifies() {
        use argon2::PasswordVerifier;
        let h = Hasher::new(&cheap(1024)).unwrap();
        let phc = h.hash(&SecretString::from("Tq7#mV2!pLx9")).await.unwrap();
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"Tq7#mV2!pLx9", &parsed)
                .is_ok()
        );
        assert_eq!(
            h.verify(&SecretString::from("x"), "not a hash").await,
            Verdict::Wrong
        );
    }

    #[tokio::test]
    async fn nfkc_equivalent_passwords_verify() {
        let h = Hasher::new(&cheap(1024)).unwrap();
        let phc = h.hash(&SecretString::from("ＡＢ１２!xyz")).await.unwrap();
        assert!(matches!(
            h.verify(&SecretString::from("AB12!xyz"), &phc).await,
            Verdict::Right { .. }
        ));
    }
}
