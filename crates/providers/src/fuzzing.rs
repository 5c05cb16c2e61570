//! A bounded mutation fuzzer shared by the providers' answer readers (Smartcall's
//! JSON, AAT's XML, MX's lines and notifications, Ideamart's JSON). Seeds are wire
//! samples; each round flips, inserts, deletes, splices in "interesting" tokens and
//! pieces of other samples, and truncates. A panic in a reader fails the test.
//!
//! `make test` runs each target for 2 s; `AIRTILL_FUZZ_SECS=600 cargo test --workspace
//! fuzz -- --nocapture` runs longer (`AIRTILL_FUZZ_SEED` varies it).

use std::time::{Duration, Instant};

/// A small, seeded xorshift: the fuzzer needs no dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

pub fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8], interesting: &[&[u8]]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(b.len() + 1);
        match rng.below(6) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 => b.insert(at, (rng.next() & 0xff) as u8),
            2 if at < b.len() => {
                let n = 1 + rng.below(8).min(b.len() - at - 1);
                b.drain(at..at + n);
            }
            3 if !interesting.is_empty() => {
                let word = interesting[rng.below(interesting.len())];
                b.splice(at..at, word.iter().copied());
            }
            4 if !other.is_empty() => {
                let from = rng.below(other.len());
                let to = from + rng.below(other.len() - from + 1);
                b.splice(at..at, other[from..to].iter().copied());
            }
            _ => b.truncate(at),
        }
    }
    b
}

/// Feeds every seed as it is with statuses 200, 400 and 500, then mutants until the
/// time is up (`AIRTILL_FUZZ_SECS`, default 2).
pub fn run(name: &str, seeds: &[&str], interesting: &[&[u8]], mut entry: impl FnMut(&[u8], u16)) {
    let secs: u64 = std::env::var("AIRTILL_FUZZ_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(2);
    let seed: u64 = std::env::var("AIRTILL_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5eed_2026_1123);
    let mut rng = Rng(seed | 1);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut runs = 0u64;
    for s in seeds {
        for status in [200, 400, 500] {
            entry(s.as_bytes(), status);
        }
    }
    while Instant::now() < deadline {
        for _ in 0..200 {
            let a = seeds[rng.below(seeds.len())].as_bytes();
            let b = seeds[rng.below(seeds.len())].as_bytes();
            let body = mutate(&mut rng, a, b, interesting);
            entry(&body, [200, 400, 500][rng.below(3)]);
            runs += 1;
        }
    }
    println!("{name} fuzz: {runs} mutated bodies in {secs} s, no panic");
    assert!(runs > 0 || secs == 0);
}
