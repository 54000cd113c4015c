//! Checkpoints in the C2SP formats, so existing witnesses and verifiers read them: the body is a
//! `tlog-checkpoint` (origin, tree size, base64 root hash, one a line), signed as a `signed-note` with Ed25519
//! (signature type 0x01); witnesses cosign it as `cosignature/v1` (type 0x04), which binds a time to the body.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};
use signed_note::{Note, NoteError, VerificationError, Verifier, VerifierList, Verifiers};

use crate::Hash;

/// Signature type of an Ed25519 note signature (the log's own).
const ED25519: u8 = 0x01;
/// Signature type of a `cosignature/v1` witness signature.
const COSIGNATURE_V1: u8 = 0x04;

/// A log's size and root at a moment, named by the log's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's unique name, a schema-less URL (`example.gov.cn/zhiliang/log`).
    pub origin: String,
    pub tree_size: u64,
    pub root_hash: Hash,
}

/// Why a checkpoint or note does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("the checkpoint body is malformed: {0}")]
    Body(&'static str),
    #[error("the note is malformed or unsigned by the log's key: {0}")]
    Note(String),
    #[error("verifier key '{0}' is malformed")]
    VerifierKey(String),
    #[error("the note's origin is '{found}', expected '{expected}'")]
    Origin { expected: String, found: String },
}

impl Checkpoint {
    /// The note text that is signed: `origin\nsize\nbase64(root)\n`.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.tree_size, BASE64.encode(self.root_hash))
    }

    /// Reads a checkpoint body; extension lines after the third are allowed and ignored.
    pub fn parse(body: &[u8]) -> Result<Checkpoint, CheckpointError> {
        let text = std::str::from_utf8(body).map_err(|_| CheckpointError::Body("not UTF-8"))?;
        let mut lines = text.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty()).ok_or(CheckpointError::Body("no origin"))?;
        let size = lines.next().ok_or(CheckpointError::Body("no tree size"))?;
        // Decimal without leading zeros, as the format says.
        if size.is_empty() || !size.bytes().all(|b| b.is_ascii_digit()) || (size.len() > 1 && size.starts_with('0')) {
            return Err(CheckpointError::Body("the tree size is not a decimal number"));
        }
        let tree_size = size.parse().map_err(|_| CheckpointError::Body("the tree size is too large"))?;
        let root = lines.next().ok_or(CheckpointError::Body("no root hash"))?;
        let root_hash = BASE64
            .decode(root)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(CheckpointError::Body("the root hash is not 32 bytes of base64"))?;
        if !text.ends_with('\n') {
            return Err(CheckpointError::Body("the body does not end with a newline"));
        }
        Ok(Checkpoint { origin: origin.to_owned(), tree_size, root_hash })
    }

    /// The signed note of this checkpoint, signed by the log's key.
    pub fn sign(&self, signer: &LogSigner) -> String {
        let mut note = Note::new(self.body().as_bytes(), &[]).expect("a checkpoint body is a valid note text");
        note.add_sigs(&[signer]).expect("the origin is a valid key name");
        String::from_utf8(note.to_bytes()).expect("notes are UTF-8")
    }
}

/// The C2SP key ID: the first four bytes of SHA-256(name ‖ 0x0A ‖ type ‖ public key).
fn note_key_id(name: &str, kind: u8, key: &VerifyingKey) -> u32 {
    let mut encoded = vec![kind];
    encoded.extend_from_slice(key.as_bytes());
    signed_note::key_id(name, &encoded)
}

/// The log's signer: its Ed25519 key under the log's origin as the key name.
#[derive(Debug, Clone)]
pub struct LogSigner {
    name: String,
    key: SigningKey,
}

impl LogSigner {
    /// A signer for the log named `origin`.
    pub fn new(origin: &str, key: SigningKey) -> Result<LogSigner, CheckpointError> {
        if !signed_note::is_key_name_valid(origin) {
            return Err(CheckpointError::Body("the origin is not a valid key name (no spaces or '+')"));
        }
        Ok(LogSigner { name: origin.to_owned(), key })
    }

    /// The verifier key anyone may pin: `name+hex(id)+base64(0x01 ‖ key)`.
    pub fn verifier_key(&self) -> String {
        verifier_key(&self.name, &self.key.verifying_key())
    }

    /// The verifier of this signer's notes.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier { name: self.name.clone(), kind: ED25519, key: self.key.verifying_key() }
    }

    /// The public half.
    pub fn public(&self) -> VerifyingKey {
        self.key.verifying_key()
    }
}

impl signed_note::Signer for LogSigner {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        note_key_id(&self.name, ED25519, &self.key.verifying_key())
    }

    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
        Ok(self.key.sign(msg).to_bytes().to_vec())
    }
}

/// The verifier key of a log key: `name+hex(id)+base64(0x01 ‖ key)`.
pub fn verifier_key(name: &str, key: &VerifyingKey) -> String {
    signed_note::new_ed25519_verifier_key(name, key)
}

/// A key that checks note signatures: the log's (Ed25519) or a witness's (`cosignature/v1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    kind: u8,
    key: VerifyingKey,
}

impl NoteVerifier {
    /// Reads a verifier key `name+hex(id)+base64(type ‖ key)` of type 0x01 or 0x04, checking its ID.
    pub fn parse(vkey: &str) -> Result<NoteVerifier, CheckpointError> {
        let malformed = || CheckpointError::VerifierKey(vkey.to_owned());
        let mut parts = vkey.trim().splitn(3, '+');
        let (name, id, key) = (parts.next(), parts.next(), parts.next());
        let (Some(name), Some(id), Some(key)) = (name, id, key) else { return Err(malformed()) };
        let bytes = BASE64.decode(key).map_err(|_| malformed())?;
        let (&kind, key) = bytes.split_first().ok_or_else(malformed)?;
        let key: [u8; 32] = key.try_into().map_err(|_| malformed())?;
        let key = VerifyingKey::from_bytes(&key).map_err(|_| malformed())?;
        if !(kind == ED25519 || kind == COSIGNATURE_V1) || !signed_note::is_key_name_valid(name) {
            return Err(malformed());
        }
        let verifier = NoteVerifier { name: name.to_owned(), kind, key };
        if id.len() != 8 || u32::from_str_radix(id, 16).ok() != Some(verifier.id()) {
            return Err(malformed());
        }
        Ok(verifier)
    }

    /// A witness's cosignature verifier key for `name`.
    pub fn cosigner(name: &str, key: VerifyingKey) -> NoteVerifier {
        NoteVerifier { name: name.to_owned(), kind: COSIGNATURE_V1, key }
    }

    /// The key name.
    pub fn key_name(&self) -> &str {
        &self.name
    }

    /// True for a witness's `cosignature/v1` key.
    pub fn is_cosigner(&self) -> bool {
        self.kind == COSIGNATURE_V1
    }

    /// The public key.
    pub fn public(&self) -> &VerifyingKey {
        &self.key
    }

    fn id(&self) -> u32 {
        note_key_id(&self.name, self.kind, &self.key)
    }

    /// The verifier key string.
    pub fn encode(&self) -> String {
        let mut bytes = vec![self.kind];
        bytes.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.id(), BASE64.encode(bytes))
    }
}

/// The message a `cosignature/v1` signs: a header with the time, then the checkpoint body.
fn cosigned_message(time: u64, body: &[u8]) -> Vec<u8> {
    let mut message = format!("cosignature/v1\ntime {time}\n").into_bytes();
    message.extend_from_slice(body);
    message
}

impl Verifier for NoteVerifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        self.id()
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let (message, signature) = match self.kind {
            ED25519 => (msg.to_vec(), sig),
            _ => {
                let Some((time, signature)) = sig.split_first_chunk::<8>() else { return false };
                (cosigned_message(u64::from_be_bytes(*time), msg), signature)
            }
        };
        let Ok(signature) = <[u8; 64]>::try_from(signature) else { return false };
        self.key.verify(&message, &Signature::from_bytes(&signature)).is_ok()
    }
}

/// A witness's cosignature line over a checkpoint body at `time` (seconds since the epoch), as a witness makes
/// it: `— name base64(id ‖ time ‖ signature)`.
pub fn cosign(body: &str, name: &str, key: &SigningKey, time: u64) -> String {
    let verifier = NoteVerifier::cosigner(name, key.verifying_key());
    let signature = key.sign(&cosigned_message(time, body.as_bytes()));
    let mut payload = verifier.id().to_be_bytes().to_vec();
    payload.extend_from_slice(&time.to_be_bytes());
    payload.extend_from_slice(&signature.to_bytes());
    format!("\u{2014} {name} {}\n", BASE64.encode(payload))
}

/// What an opened note proved: the checkpoint, and which of the given witnesses cosigned it, with their times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub checkpoint: Checkpoint,
    pub cosigned_by: Vec<(String, u64)>,
}

/// Opens a checkpoint note: it must carry a valid signature of `log`, and its origin must be the log's key name.
/// Signatures of the given witnesses are checked too (a bad one refuses the note); unknown ones are ignored.
pub fn open(note: &str, log: &NoteVerifier, witnesses: &[NoteVerifier]) -> Result<Opened, CheckpointError> {
    let parsed = Note::from_bytes(note.as_bytes()).map_err(|e| CheckpointError::Note(e.to_string()))?;
    let mut known: Vec<Box<dyn Verifier>> = vec![Box::new(log.clone())];
    known.extend(witnesses.iter().cloned().map(|w| Box::new(w) as Box<dyn Verifier>));
    let list = VerifierList::new(known);
    let (verified, _) = parsed.verify(&list).map_err(|e| CheckpointError::Note(e.to_string()))?;
    if !verified.iter().any(|s| s.name() == log.name && s.id() == log.id()) {
        return Err(CheckpointError::Note(NoteError::UnverifiedNote.to_string()));
    }
    let checkpoint = Checkpoint::parse(parsed.text())?;
    if checkpoint.origin != log.name {
        return Err(CheckpointError::Origin { expected: log.name.clone(), found: checkpoint.origin });
    }
    let cosigned_by = verified
        .iter()
        .filter(|s| witnesses.iter().any(|w| w.name == s.name() && w.id() == s.id()))
        .filter_map(|s| Some((s.name().to_owned(), u64::from_be_bytes(*s.signature().first_chunk::<8>()?))))
        .collect();
    Ok(Opened { checkpoint, cosigned_by })
}

/// Checks one witness cosignature line against a checkpoint body; returns its time.
pub fn check_cosignature(body: &str, line: &str, witness: &NoteVerifier) -> Result<u64, CheckpointError> {
    let signature = signed_note::Signature::from_bytes(line.trim_end_matches('\n').as_bytes())
        .map_err(|e| CheckpointError::Note(e.to_string()))?;
    let list = VerifierList::new(vec![Box::new(witness.clone())]);
    match list.verifier(signature.name(), signature.id()) {
        Ok(verifier) if verifier.verify(body.as_bytes(), signature.signature()) => {
            Ok(u64::from_be_bytes(*signature.signature().first_chunk::<8>().expect("verified: 72 bytes")))
        }
        Ok(_) => Err(CheckpointError::Note(format!("the cosignature of {} does not verify", witness.name))),
        Err(VerificationError::UnknownKey { .. }) | Err(_) => {
            Err(CheckpointError::Note(format!("the line is not signed by witness key {}", witness.encode())))
        }
    }
}

/// A short name of a public key: the first eight bytes of its SHA-256, in hex.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn a_signed_checkpoint_opens_with_the_log_key_and_not_another() {
        let signer = LogSigner::new("example.gov.cn/zhiliang/log", key(1)).unwrap();
        let checkpoint = Checkpoint { origin: "example.gov.cn/zhiliang/log".into(), tree_size: 37, root_hash: [7; 32] };
        let note = checkpoint.sign(&signer);
        assert!(note.starts_with("example.gov.cn/zhiliang/log\n37\nBwcH"), "{note}");
        assert!(note.contains("\n\n\u{2014} example.gov.cn/zhiliang/log "), "{note}");
        let log = NoteVerifier::parse(&signer.verifier_key()).unwrap();
        assert_eq!(signer.verifier(), log);
        assert_eq!(open(&note, &log, &[]).unwrap().checkpoint, checkpoint);
        let stranger =
            NoteVerifier::parse(&verifier_key("example.gov.cn/zhiliang/log", &key(2).verifying_key())).unwrap();
        assert!(open(&note, &stranger, &[]).is_err());
        let altered = note.replacen("\n37\n", "\n38\n", 1);
        assert!(open(&altered, &log, &[]).is_err());
    }

    #[test]
    fn witness_cosignatures_bind_the_time_and_the_body() {
        let signer = LogSigner::new("log.example", key(1)).unwrap();
        let checkpoint = Checkpoint { origin: "log.example".into(), tree_size: 5, root_hash: [1; 32] };
        let note = checkpoint.sign(&signer);
        let witness = NoteVerifier::cosigner("witness.example", key(9).verifying_key());
        let line = cosign(&checkpoint.body(), "witness.example", &key(9), 1_767_225_600);
        assert_eq!(check_cosignature(&checkpoint.body(), &line, &witness), Ok(1_767_225_600));
        let other = Checkpoint { tree_size: 6, ..checkpoint.clone() };
        assert!(check_cosignature(&other.body(), &line, &witness).is_err());
        let log = NoteVerifier::parse(&signer.verifier_key()).unwrap();
        let opened = open(&format!("{note}{line}"), &log, std::slice::from_ref(&witness)).unwrap();
        assert_eq!(opened.cosigned_by, vec![("witness.example".to_owned(), 1_767_225_600)]);
        // The verifier key round-trips and names its type.
        let parsed = NoteVerifier::parse(&witness.encode()).unwrap();
        assert!(parsed.is_cosigner());
        assert_eq!(parsed, witness);
        assert!(NoteVerifier::parse("witness.example+00000000+AQ==").is_err());
    }

    #[test]
    fn bodies_are_read_strictly() {
        let good = Checkpoint { origin: "o".into(), tree_size: 0, root_hash: [0; 32] };
        assert_eq!(Checkpoint::parse(good.body().as_bytes()).unwrap(), good);
        for bad in ["o\n01\nAAAA\n", "o\n1\nAAAA\n", "\n1\n\n", "o\n-1\n"] {
            assert!(Checkpoint::parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
    }
}
