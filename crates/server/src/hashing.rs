//! Argon2id password hashing on a bounded pool of worker threads.
//!
//! Each hash needs `m` KiB of memory and a core for ~30 ms. A fixed set of
//! threads (one per core by default) takes jobs from a queue, so a flood of
//! sign-ins waits in line instead of allocating memory for every request at
//! once — and, unlike tokio's blocking pool, never grows to hundreds of
//! threads each keeping its own malloc arena.

use std::sync::{Arc, Mutex, mpsc};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};

use crate::config::SecurityConfig;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct Hasher {
    queue: mpsc::SyncSender<Job>,
    params: Params,
    /// Verified against for unknown logins, so their answer takes as long.
    dummy_hash: Arc<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Wrong,
    Right { needs_rehash: bool },
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
        let (queue, jobs) = mpsc::sync_channel::<Job>(4096);
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
            params,
            dummy_hash,
        })
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        let queue = self.queue.clone();
        // The queue is bounded: when it is full this waits (off the runtime).
        let _ = tokio::task::spawn_blocking(move || queue.send(job)).await;
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

fn argon2(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash_now(params: &Params, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2(params)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

fn verify_now(params: &Params, password: &str, phc: &str) -> Verdict {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return Verdict::Wrong;
    };
    // Verification uses the parameters stored in the hash itself.
    if Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_err()
    {
        return Verdict::Wrong;
    }
    let current = Params::try_from(&parsed).ok();
    let needs_rehash = parsed.algorithm.as_str() != "argon2id"
        || current.is_none_or(|p| {
            p.m_cost() != params.m_cost()
                || p.t_cost() != params.t_cost()
                || p.p_cost() != params.p_cost()
        });
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
    async fn nfkc_equivalent_passwords_verify() {
        let h = Hasher::new(&cheap(1024)).unwrap();
        let phc = h.hash(&SecretString::from("ＡＢ１２!xyz")).await.unwrap();
        assert!(matches!(
            h.verify(&SecretString::from("AB12!xyz"), &phc).await,
            Verdict::Right { .. }
        ));
    }
}
