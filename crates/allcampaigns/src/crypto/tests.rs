use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use secrecy::ExposeSecret;

use super::*;
use crate::domain::TenantId;

fn slot(tenant: TenantId, row: &str) -> SecretSlot<'_> {
    SecretSlot {
        tenant,
        purpose: Purpose::InstantlyApiKey,
        row,
    }
}

#[test]
fn sec_01_round_trip_is_exact_and_every_flipped_bit_fails() {
    let (ring, _) = Keyring::generate();
    let tenant = TenantId::new();
    for length in [0usize, 1, 31, 64, 200] {
        let plaintext: Vec<u8> = (0..length).map(|_| rand::random()).collect();
        let envelope = ring.seal(&slot(tenant, "row"), &plaintext);
        assert_eq!(
            ring.open(&slot(tenant, "row"), &envelope)
                .unwrap()
                .expose_secret(),
            &plaintext[..]
        );
        // Every bit after the header: nonce, ciphertext and tag.
        for bit in HEADER_LEN * 8..envelope.len() * 8 {
            let mut tampered = envelope.clone();
            tampered[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(
                ring.open(&slot(tenant, "row"), &tampered).err(),
                Some(CryptoError::Decrypt)
            );
        }
    }
}

#[test]
fn sec_02_a_ciphertext_moved_to_another_row_tenant_or_column_does_not_decrypt() {
    let (ring, _) = Keyring::generate();
    let (a, b) = (TenantId::new(), TenantId::new());
    let envelope = ring.seal(&slot(a, "1"), b"sk_live_secret");
    assert!(ring.open(&slot(a, "1"), &envelope).is_ok());
    assert_eq!(
        ring.open(&slot(a, "2"), &envelope).err(),
        Some(CryptoError::Decrypt)
    );
    assert_eq!(
        ring.open(&slot(b, "1"), &envelope).err(),
        Some(CryptoError::Decrypt)
    );
    let other_column = SecretSlot {
        tenant: a,
        purpose: Purpose::KeyCheck,
        row: "1",
    };
    assert_eq!(
        ring.open(&other_column, &envelope).err(),
        Some(CryptoError::Decrypt)
    );

    let mut other_key_id = envelope.clone();
    other_key_id[1..5].copy_from_slice(&2u32.to_be_bytes());
    assert_eq!(
        ring.open(&slot(a, "1"), &other_key_id).err(),
        Some(CryptoError::UnknownKey(2))
    );
    let text = format!(
        "{}\n{}",
        format_key(1, &[7; 32]).as_str(),
        format_key(2, &[9; 32]).as_str()
    );
    let two = Keyring::from_text(&text).unwrap();
    let sealed_by_1 = {
        let one = Keyring::from_text(format_key(1, &[7; 32]).as_str()).unwrap();
        one.seal(&slot(a, "1"), b"x")
    };
    let mut relabelled = sealed_by_1.clone();
    relabelled[1..5].copy_from_slice(&2u32.to_be_bytes());
    assert!(two.open(&slot(a, "1"), &sealed_by_1).is_ok());
    assert_eq!(
        two.open(&slot(a, "1"), &relabelled).err(),
        Some(CryptoError::Decrypt)
    );
    assert_eq!(
        CryptoError::Decrypt.to_string(),
        "a stored secret could not be decrypted"
    );
}

#[test]
fn sec_07_envelope_length_is_header_plus_nonce_plus_plaintext_plus_tag() {
    let (ring, _) = Keyring::generate();
    let secret = b"canary-key-0123456789";
    let envelope = ring.seal(&slot(TenantId::new(), "r"), secret);
    assert_eq!(
        envelope.len(),
        HEADER_LEN + NONCE_LEN + secret.len() + TAG_LEN
    );
    assert!(
        !envelope
            .windows(6)
            .any(|w| secret.windows(6).any(|s| s == w))
    );
    assert_eq!(envelope_key_id(&envelope), Some(1));
}

/// SEC-03: a million seals of the same plaintext under one key give a million distinct nonces
/// and a million distinct ciphertexts, and the key counted every one. The seals run on every
/// core: AES-GCM's generic code is compiled into this crate, unoptimized in tests.
#[test]
fn sec_03_a_million_seals_have_distinct_nonces_and_ciphertexts_and_are_counted() {
    const SEALS: usize = 1_000_000;
    type Sealed = ([u8; NONCE_LEN], [u8; 16 + TAG_LEN]);
    let (ring, _) = Keyring::generate();
    let tenant = TenantId::new();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let share = SEALS.div_ceil(threads);
    let batches: Vec<Vec<Sealed>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|index| {
                let (ring, count) = (&ring, share.min(SEALS - index * share));
                scope.spawn(move || {
                    (0..count)
                        .map(|_| {
                            let envelope = ring.seal(&slot(tenant, "r"), &[7u8; 16]);
                            let (nonce, sealed) = envelope[HEADER_LEN..].split_at(NONCE_LEN);
                            (nonce.try_into().unwrap(), sealed.try_into().unwrap())
                        })
                        .collect()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let mut nonces: HashSet<[u8; NONCE_LEN]> = HashSet::with_capacity(SEALS);
    let mut ciphertexts: HashSet<[u8; 16 + TAG_LEN]> = HashSet::with_capacity(SEALS);
    for (nonce, sealed) in batches.into_iter().flatten() {
        assert!(nonces.insert(nonce), "a nonce repeated");
        assert!(ciphertexts.insert(sealed), "a ciphertext repeated");
    }
    assert_eq!((nonces.len(), ciphertexts.len()), (SEALS, SEALS));
    let status = ring.seal_status();
    assert_eq!(status.len(), 1);
    assert_eq!(status[0].seals, SEALS as u64);
    assert!(!status[0].alarm);
    assert_eq!(SEAL_ALARM, 1 << 30, "a quarter of NIST SP 800-38D's 2^32");
}

/// Everything logged, for the tests that read it.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// SEC-03: the alarm (an error in the log, and `alarm` in the status the metrics and `keys
/// status` show) fires once, when a key's count reaches it: by this process's seals, or by
/// the total the database answers.
#[test]
fn sec_03_the_seal_alarm_fires_once_when_a_keys_count_reaches_it() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let ring = Keyring::generate().0.with_seal_alarm(5);
        assert_eq!(ring.seal_alarm(), 5);
        for count in 1..=7u64 {
            ring.seal(&slot(TenantId::new(), "r"), b"x");
            let status = ring.seal_status()[0];
            assert_eq!((status.seals, status.alarm), (count, count >= 5));
            let alarms = logs.text().matches("past the alarm").count();
            assert_eq!(alarms, usize::from(count >= 5), "after {count} seals");
        }
        let stored = Keyring::generate().0.with_seal_alarm(100);
        stored.stored_seals(1, 99);
        assert!(!stored.seal_status()[0].alarm);
        stored.stored_seals(1, 100);
        assert!(stored.seal_status()[0].alarm);
    });
    let text = logs.text();
    assert_eq!(text.matches("past the alarm").count(), 2, "{text}");
    assert!(text.contains("ERROR") && text.contains("allcampaigns keys rotate"));
}

/// Seals not yet saved are handed out once, and come back when their save fails.
#[test]
fn unsaved_seals_are_taken_once_and_kept_when_a_save_fails() {
    let (ring, _) = Keyring::generate();
    for _ in 0..3 {
        ring.seal(&slot(TenantId::new(), "r"), b"x");
    }
    assert_eq!(ring.take_unsaved_seals(), vec![(1, 3)]);
    assert_eq!(ring.take_unsaved_seals(), vec![]);
    assert_eq!(ring.seal_status()[0].seals, 0, "taken, not yet stored");
    ring.keep_unsaved_seals(1, 3);
    ring.stored_seals(1, 10);
    assert_eq!(ring.seal_status()[0].seals, 13);
    ring.stored_seals(1, 7);
    assert_eq!(
        ring.seal_status()[0].seals,
        13,
        "an older answer never lowers it"
    );
}

#[test]
fn sec_06_key_holding_types_redact_themselves_and_zeroize_on_drop() {
    let (ring, text) = Keyring::generate();
    let printed = format!("{ring:?}");
    assert!(
        printed.contains("REDACTED") && !printed.contains(&text[8..]),
        "{printed}"
    );
    let secret = secrecy::SecretString::from("sk_canary".to_string());
    assert!(!format!("{secret:?}").contains("sk_canary"));
    fn zeroizes_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    zeroizes_on_drop::<secrecy::SecretString>();
    zeroizes_on_drop::<aes_gcm::Aes256Gcm>();
}

#[test]
fn key_text_parses_several_keys_and_the_highest_id_is_primary() {
    let text = format!(
        "# comment\n{}\n{}\n",
        format_key(1, &[1; 32]).as_str(),
        format_key(3, &[3; 32]).as_str()
    );
    let ring = Keyring::from_text(&text).unwrap();
    assert_eq!(ring.key_ids(), vec![1, 3]);
    assert_eq!(ring.primary_id(), 3);
    assert_eq!(Keyring::from_text("").err(), Some(KeyTextError::Empty));
    assert_eq!(
        Keyring::from_text("ac1:0:xx").err(),
        Some(KeyTextError::KeyId(1))
    );
    assert_eq!(
        Keyring::from_text("ac1:1:short").err(),
        Some(KeyTextError::Material(1))
    );
    assert_eq!(
        Keyring::from_text("hello").err(),
        Some(KeyTextError::Shape(1))
    );
}

#[test]
fn a_created_key_file_is_private_and_rotation_appends_a_new_primary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys/master.key");
    let (_, text) = Keyring::generate();
    create_key_file(&path, &text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert!(
        create_key_file(&path, &text).is_err(),
        "an existing key file is never overwritten"
    );
    assert_eq!(append_key_file(&path).unwrap(), 2);
    let ring = Keyring::from_text(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(ring.key_ids(), vec![1, 2]);
}

#[test]
fn derived_keys_are_per_label_per_master_key_and_the_primarys_comes_first() {
    let one = Keyring::from_text(&format_key(1, &[7; 32])).unwrap();
    let two = Keyring::from_text(&format!(
        "{}\n{}",
        format_key(1, &[7; 32]).as_str(),
        format_key(2, &[9; 32]).as_str()
    ))
    .unwrap();
    let derived_one = one.derive_keys("image-proxy-url");
    let derived_two = two.derive_keys("image-proxy-url");
    assert_eq!(derived_one.len(), 1);
    assert_eq!(derived_two.len(), 2);
    // The same master key always derives the same key, so every node of an install agrees.
    assert_eq!(*derived_two[1], *derived_one[0]);
    assert_ne!(
        *derived_two[0], *derived_one[0],
        "the primary (key 2) comes first"
    );
    assert_ne!(*one.derive_keys("another-use")[0], *derived_one[0]);
    assert_ne!(*derived_one[0], [7; 32], "never the master key itself");
}
