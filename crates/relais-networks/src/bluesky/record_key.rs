//! Record keys chosen by Relais, so that a retried publish can never create a second post.
//!
//! Bluesky posts (`app.bsky.feed.post`) must be keyed by a TID: 64 bits written as 13 characters
//! of the "base32-sortable" alphabet, made of a zero top bit, 53 bits of microseconds since the
//! Unix epoch and a 10-bit clock identifier. Relais derives them from the variant's idempotency
//! key `relais-<UUIDv7>` (the key is stored before any call):
//! - microseconds = the UUID's millisecond timestamp × 1000 + 31 × (5 random bits of the UUID)
//!   + the part's index (0 for the first post, 1.. for the thread, then the first comment);
//! - clock identifier = 10 more random bits of the UUID.
//!
//! So every part of a unit has its own key, the same on every attempt, and two variants of one
//! account created in the same millisecond collide only if 15 random bits agree.

use uuid::Uuid;

/// At most this many parts (first post, thread parts and first comment) in one unit.
pub const MAX_PARTS: usize = 31;

const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";

/// The record key of part `index` (0 = first post) of the unit with this idempotency key.
pub fn part_key(idempotency_key: &str, index: usize) -> Result<String, String> {
    if index >= MAX_PARTS {
        return Err(format!("a Bluesky post can have at most {} parts (thread and first comment included)", MAX_PARTS));
    }
    let uuid = idempotency_key
        .strip_prefix("relais-")
        .and_then(|u| Uuid::parse_str(u).ok())
        .filter(|u| u.get_version_num() == 7)
        .ok_or_else(|| format!("idempotency key {idempotency_key:?} is not of the form relais-<UUIDv7>"))?;
    let bits = uuid.as_u128();
    let millis = (bits >> 80) as u64;
    let random = bits as u64; // the low 62 bits are random in a UUIDv7
    let spread = random & 0x1f;
    let clock_id = (random >> 5) & 0x3ff;
    let micros = millis * 1000 + spread * 31 + index as u64;
    Ok(encode(((micros & ((1 << 53) - 1)) << 10) | clock_id))
}

/// The record key of part `index` of a unit, from its first post's record key alone (what a
/// deletion knows): the parts' keys differ only by their index in the microseconds. `None` when
/// `first` is not a TID.
pub fn following_key(first: &str, index: usize) -> Option<String> {
    let value = decode(first)?;
    let micros = (value >> 10) + index as u64;
    (micros < (1 << 53)).then(|| encode((micros << 10) | (value & 0x3ff)))
}

fn encode(value: u64) -> String {
    (0..13).rev().map(|i| ALPHABET[((value >> (i * 5)) & 0x1f) as usize] as char).collect()
}

fn decode(tid: &str) -> Option<u64> {
    let digits: Vec<u64> = tid.bytes().map(|b| ALPHABET.iter().position(|&a| a == b).map(|d| d as u64)).collect::<Option<_>>()?;
    // 13 digits of 5 bits carry 65 bits: the first digit holds the 4 top bits, the highest zero.
    (digits.len() == 13 && digits[0] < 16).then(|| digits.iter().fold(0u64, |v, d| (v << 5) | d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_tid(s: &str) -> bool {
        s.len() == 13 && s.bytes().all(|b| ALPHABET.contains(&b)) && b"234567abcdefghij".contains(&s.as_bytes()[0])
    }

    #[test]
    fn keys_are_valid_tids_stable_and_distinct_per_part() {
        let key = format!("relais-{}", Uuid::now_v7());
        let first = part_key(&key, 0).unwrap();
        assert!(is_tid(&first), "{first}");
        assert_eq!(first, part_key(&key, 0).unwrap(), "the same key on every attempt");
        let parts: Vec<String> = (0..MAX_PARTS).map(|i| part_key(&key, i).unwrap()).collect();
        let mut sorted = parts.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, parts, "distinct and in order");
        assert!(part_key(&key, MAX_PARTS).unwrap_err().contains("at most 31 parts"));
    }

    #[test]
    fn the_timestamp_is_the_uuids() {
        let uuid = Uuid::now_v7();
        let (secs, nanos) = uuid.get_timestamp().unwrap().to_unix();
        let millis = secs * 1000 + u64::from(nanos) / 1_000_000;
        let tid = part_key(&format!("relais-{uuid}"), 0).unwrap();
        let value = tid.bytes().fold(0u64, |v, b| (v << 5) | ALPHABET.iter().position(|&a| a == b).unwrap() as u64);
        assert_eq!((value >> 10) / 1000, millis);
    }

    #[test]
    fn the_first_key_leads_to_the_others() {
        let key = format!("relais-{}", Uuid::now_v7());
        let first = part_key(&key, 0).unwrap();
        for i in 0..MAX_PARTS {
            assert_eq!(following_key(&first, i), Some(part_key(&key, i).unwrap()), "part {i}");
        }
        assert_eq!(following_key("not-a-tid", 1), None);
        assert_eq!(following_key("zzzzzzzzzzzzz", 1), None, "the top bit of a TID is zero");
        assert_eq!(following_key("k222222222222", 1), None, "nor a 65th bit");
    }

    #[test]
    fn other_keys_are_refused() {
        assert!(part_key("relais-not-a-uuid", 0).is_err());
        assert!(part_key(&format!("relais-{}", Uuid::new_v4()), 0).unwrap_err().contains("UUIDv7"));
    }
}
