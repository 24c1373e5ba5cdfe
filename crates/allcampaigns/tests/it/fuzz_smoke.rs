//! FUZZ-03 on stable Rust: every cargo-fuzz target (`fuzz/targets.rs`) runs briefly in CI on
//! its seed corpus and on generated inputs, so a panic in a parser fails the build even where
//! libFuzzer cannot run (it needs nightly instrumentation flags).

use proptest::prelude::*;

#[path = "../../../../fuzz/targets.rs"]
mod targets;

/// The seed inputs of one target, kept in `fuzz/corpus/<target>/`.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{target} has seeds");
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// Bytes that look like the target's input often enough to get past its first checks: seeds
/// with random bytes spliced in, and plain random bytes.
fn mutated(target: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let corpus = seeds(target);
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        (
            0..corpus.len(),
            any::<prop::sample::Index>(),
            proptest::collection::vec(any::<u8>(), 0..24)
        )
            .prop_map(move |(seed, at, insert)| {
                let mut bytes = corpus[seed].clone();
                let at = at.index(bytes.len() + 1);
                bytes.splice(at..at, insert);
                bytes
            }),
    ]
}

macro_rules! smoke {
    ($($target:ident),*) => {$(
        mod $target {
            use super::*;

            #[test]
            fn seeds_pass() {
                for seed in seeds(stringify!($target)) {
                    targets::$target(&seed);
                }
            }

            proptest! {
                #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]
                #[test]
                fn generated_inputs_never_panic(bytes in mutated(stringify!($target))) {
                    targets::$target(&bytes);
                }
            }
        }
    )*};
}

smoke!(sanitize, instantly_decode, envelope, tokens);
