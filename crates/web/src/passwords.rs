//! Operators' passwords: argon2id hashes in PHC form, checked in constant time by the argon2
//! crate, and generated passwords for new accounts.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("a password may not be longer than {MAX_LENGTH} characters")]
    TooLong,
    #[error("cannot hash the password: {0}")]
    Hashing(String),
    #[error("the system's random number generator failed: {0}")]
    Random(String),
}

pub const MIN_LENGTH: usize = 10;
/// Argon2 takes any length; a bound keeps a hostile form post from costing much.
pub const MAX_LENGTH: usize = 256;

/// Hashes a password chosen by a person, after checking its length.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordError::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordError::TooLong);
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|err| PasswordError::Hashing(err.to_string()))
}

/// Whether `password` matches the stored hash. A hash that does not parse matches nothing.
pub fn verify(password: &str, stored_hash: &str) -> bool {
    if password.chars().count() > MAX_LENGTH {
        return false;
    }
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Letters and digits that cannot be mistaken for each other when read aloud or typed from a
/// phone (no 0/O, 1/l/I).
const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A new random password of `length` characters (about 5.8 bits each).
pub fn generate(length: usize) -> Result<String, PasswordError> {
    let mut password = String::with_capacity(length);
    let mut bytes = [0_u8; 64];
    // Rejection sampling keeps every character equally likely.
    let limit = u8::MAX - (u8::MAX % ALPHABET.len() as u8);
    while password.len() < length {
        getrandom::fill(&mut bytes).map_err(|err| PasswordError::Random(err.to_string()))?;
        for byte in bytes {
            if byte < limit && password.len() < length {
                password.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
            }
        }
    }
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_accepts_its_password_and_nothing_else() {
        let stored = hash("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse batterz", &stored));
        assert!(!verify("correct horse battery", "not a hash"));
        assert!(matches!(hash("short"), Err(PasswordError::TooShort)));
        assert!(matches!(
            hash(&"x".repeat(MAX_LENGTH + 1)),
            Err(PasswordError::TooLong)
        ));
    }

    #[test]
    fn generated_passwords_are_long_enough_and_differ() {
        let first = generate(16).unwrap();
        assert_eq!(first.len(), 16);
        assert!(first.bytes().all(|byte| ALPHABET.contains(&byte)));
        assert_ne!(first, generate(16).unwrap());
        assert!(verify(&first, &hash(&first).unwrap()));
    }
}
