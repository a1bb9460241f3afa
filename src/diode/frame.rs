//! The datagram grammar (docs/diode-protocol.md §3) and its encoder, side by side.
//!
//! ```text
//! datagram  = header payload tag                      ; §3
//! header    = version flags payload-length session sequence message-length
//!             block block-count block-length symbol-id symbol-size count
//! payload   = payload-length OCTET                    ; one RaptorQ symbol, or empty
//! tag       = 16 OCTET                                ; HMAC-SHA-256, leftmost 128 bits (§4)
//! ```
//!
//! All integers are big-endian. [`parse`] checks every field against the protocol and the
//! receiver's [`FrameLimits`] before it takes any payload byte, refuses trailing bytes, and
//! returns a [`Frame`] that borrows the payload and the tag. Authentication is a separate step
//! ([`MacKey::verify`]) that the receiver runs before it touches any state.

use hmac::{Hmac, KeyInit, Mac};
use nom::IResult;
use nom::Parser;
use nom::bytes::complete::take;
use nom::number::complete::{be_u8, be_u16, be_u32, be_u64};
use sha2::Sha256;

use crate::error::{GrammarError, ParseError, finish};

/// Protocol version carried in byte 0 (§3.1): 2, packed messages (§5.4).
pub const VERSION: u8 = 0x02;
/// The version before packing: still accepted (it is version 2 without the packed flag).
pub const VERSION_1: u8 = 0x01;
/// Flag (version 2): the message is a pack of `count` messages (§5.4).
pub const FLAG_PACKED: u8 = 0b0000_0100;
/// Largest pack, in bytes (§5.4): always rebuilt in memory.
pub const MAX_PACK_BYTES: u64 = 1 << 20;
/// Bytes in the fixed header (§3.1).
pub const HEADER_LEN: usize = 48;
/// Bytes of the truncated HMAC-SHA-256 tag (§4).
pub const TAG_LEN: usize = 16;
/// Header and tag together: what a datagram costs beyond its symbol.
pub const OVERHEAD_LEN: usize = HEADER_LEN + TAG_LEN;
/// Flag: this datagram is a heartbeat (§6).
pub const FLAG_HEARTBEAT: u8 = 0b0000_0001;
/// Flag: this datagram belongs to the last block of its message, the one carrying the trailer (§5).
pub const FLAG_LAST_BLOCK: u8 = 0b0000_0010;
/// RFC 6330 §3.2: an encoding symbol id is 24 bits.
pub const MAX_SYMBOL_ID: u32 = 0x00FF_FFFF;
/// Bytes of the trailer appended to each message before encoding: length (8) and SHA-256 (32).
pub const TRAILER_LEN: usize = 8 + 32;

/// What a receiver accepts in a header, checked before any payload byte is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameLimits {
    /// Largest datagram, in bytes (the configured MTU).
    pub max_datagram: usize,
    /// Largest message, in bytes, before the trailer. Checked after authentication, not by
    /// [`parse`]: a larger message is reported lost as `too-large`.
    pub max_message_bytes: u64,
    /// Most source symbols in one block: bounds the decoder's matrix and the symbols kept per block.
    pub max_block_symbols: u32,
}

/// What a datagram is (§3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One encoding symbol of one block of one message.
    Data(DataHeader),
    /// The sequence number of the last message the sender finished sending.
    Heartbeat,
}

/// The fields of a data datagram's header (§3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataHeader {
    /// Bytes of the message before its trailer.
    pub message_len: u64,
    /// Index of this block in the message, from 0.
    pub block: u32,
    /// Blocks in the message.
    pub block_count: u32,
    /// Bytes of source data in this block (the last block's include the trailer).
    pub block_len: u32,
    /// RaptorQ encoding symbol id (ESI): below the block's symbol count it is a source symbol.
    pub symbol_id: u32,
    /// Bytes per symbol (T in RFC 6330); the payload is exactly this long.
    pub symbol_size: u16,
    /// Messages in this pack (§5.4), numbered from the header's sequence on; 0: not a pack,
    /// one message.
    pub count: u16,
}

impl DataHeader {
    /// Source symbols in this block (K in RFC 6330).
    pub fn source_symbols(&self) -> u32 {
        self.block_len.div_ceil(u32::from(self.symbol_size).max(1))
    }

    /// The last symbol id a receiver keeps for this block: the source symbols, as many repair
    /// symbols again (100 % overhead), and 16 more for small blocks.
    pub fn max_symbol_id(&self) -> u32 {
        self.source_symbols()
            .saturating_mul(2)
            .saturating_add(16)
            .min(MAX_SYMBOL_ID)
    }
}

/// A parsed header: who sent it, which message, and what it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Random per sender start; the high 32 bits are the start time in Unix seconds (§7).
    pub session: u64,
    /// Message sequence number (data), or the last one sent (heartbeat).
    pub sequence: u64,
    pub kind: Kind,
}

/// A datagram that parsed: its header, its payload and tag, and the bytes the tag covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    pub header: Header,
    pub payload: &'a [u8],
    pub tag: &'a [u8],
    /// Header and payload: what the tag authenticates.
    pub signed: &'a [u8],
}

type PResult<'a, T> = IResult<&'a [u8], T, GrammarError<&'a [u8]>>;

fn fail<'a, T>(i: &'a [u8], rule: &'static str, detail: impl Into<std::borrow::Cow<'static, str>>) -> PResult<'a, T> {
    GrammarError::failure(i, rule, detail)
}

/// Parse one datagram under `limits`: the whole of it, no trailing bytes.
pub fn parse<'a>(input: &'a [u8], limits: &FrameLimits) -> Result<Frame<'a>, ParseError> {
    if input.len() > limits.max_datagram {
        return Err(ParseError::new(
            limits.max_datagram,
            "max_datagram",
            format!(
                "datagram is {} bytes, the limit is {}",
                input.len(),
                limits.max_datagram
            ),
        ));
    }
    let (rest, frame) = finish(&input, datagram(input, limits))?;
    if !rest.is_empty() {
        return Err(ParseError::new(
            input.len() - rest.len(),
            "datagram",
            "trailing bytes after the tag",
        ));
    }
    Ok(frame)
}

// §3 datagram = header payload tag
fn datagram<'a>(input: &'a [u8], limits: &FrameLimits) -> PResult<'a, Frame<'a>> {
    let (i, (header, payload_len)) = header(input, limits)?;
    let (i, payload) = payload(i, payload_len)?;
    let signed_len = HEADER_LEN.saturating_add(payload.len());
    let signed = input.get(..signed_len).unwrap_or_default();
    let (i, tag) = tag(i)?;
    Ok((
        i,
        Frame {
            header,
            payload,
            tag,
            signed,
        },
    ))
}

// §3.1 header: fields in order, then the rules that tie them together
fn header<'a>(input: &'a [u8], limits: &FrameLimits) -> PResult<'a, (Header, u16)> {
    let (i, _) = version(input)?;
    let (i, flags) = flags(i)?;
    let (i, payload_len) = be_u16(i)?;
    let (i, session) = be_u64(i)?;
    let (i, sequence) = be_u64(i)?;
    let (i, message_len) = be_u64(i)?;
    let (i, block) = be_u32(i)?;
    let (i, block_count) = be_u32(i)?;
    let (i, block_len) = be_u32(i)?;
    let (i, symbol_id) = be_u32(i)?;
    let (i, symbol_size) = be_u16(i)?;
    let (i, count) = be_u16(i)?;
    if input.first() == Some(&VERSION_1) && (count != 0 || flags & FLAG_PACKED != 0) {
        return fail(
            input,
            "reserved",
            "version 1 has no packs: flag bit 2 and bytes 46-47 are zero",
        );
    }
    let data = DataHeader {
        message_len,
        block,
        block_count,
        block_len,
        symbol_id,
        symbol_size,
        count,
    };
    let kind = if flags & FLAG_HEARTBEAT != 0 {
        heartbeat_fields(input, flags, payload_len, &data)?;
        Kind::Heartbeat
    } else {
        data_fields(input, flags, payload_len, &data, limits)?;
        packed_fields(input, flags, sequence, &data)?;
        Kind::Data(data)
    };
    Ok((
        i,
        (
            Header {
                session,
                sequence,
                kind,
            },
            payload_len,
        ),
    ))
}

// §3.1 version = %x02 / %x01
fn version(i: &[u8]) -> PResult<'_, u8> {
    let (rest, v) = be_u8(i)?;
    if v != VERSION && v != VERSION_1 {
        return fail(
            i,
            "version",
            format!("unsupported protocol version `{v}`, this receiver speaks `{VERSION}` and `{VERSION_1}`"),
        );
    }
    Ok((rest, v))
}

// §3.1 flags: bit 0 heartbeat, bit 1 last block, bit 2 packed, the rest zero
fn flags(i: &[u8]) -> PResult<'_, u8> {
    let (rest, f) = be_u8(i)?;
    if f & !(FLAG_HEARTBEAT | FLAG_LAST_BLOCK | FLAG_PACKED) != 0 {
        return fail(i, "flags", format!("reserved flag bits set in `{f:#04x}`"));
    }
    Ok((rest, f))
}

// §5.4 a pack: at least one message, sequence numbers that do not wrap, at most MAX_PACK_BYTES,
// every message at least its 4-byte length prefix; not a pack: count zero
fn packed_fields<'a>(at: &'a [u8], flags: u8, sequence: u64, d: &DataHeader) -> PResult<'a, ()> {
    if flags & FLAG_PACKED == 0 {
        if d.count != 0 {
            return fail(at, "count", "a message that is not a pack has a count of zero");
        }
        return Ok((at, ()));
    }
    let ok = d.count >= 1
        && sequence.checked_add(u64::from(d.count) - 1).is_some()
        && d.message_len <= MAX_PACK_BYTES
        && d.message_len >= 4 * u64::from(d.count);
    if !ok {
        return fail(
            at,
            "count",
            format!(
                "a pack of {} messages in {} bytes is out of range",
                d.count, d.message_len
            ),
        );
    }
    Ok((at, ()))
}

// §6 a heartbeat has no block fields and no payload
fn heartbeat_fields<'a>(at: &'a [u8], flags: u8, payload_len: u16, d: &DataHeader) -> PResult<'a, ()> {
    let empty = DataHeader {
        message_len: 0,
        block: 0,
        block_count: 0,
        block_len: 0,
        symbol_id: 0,
        symbol_size: 0,
        count: 0,
    };
    if flags != FLAG_HEARTBEAT || payload_len != 0 || *d != empty {
        return fail(at, "heartbeat", "a heartbeat carries no block fields, flags or payload");
    }
    Ok((at, ()))
}

// §3.2 the fields of a data datagram agree with each other and with the limits
fn data_fields<'a>(at: &'a [u8], flags: u8, payload_len: u16, d: &DataHeader, limits: &FrameLimits) -> PResult<'a, ()> {
    if d.symbol_size == 0 || payload_len != d.symbol_size {
        return fail(
            at,
            "symbol_size",
            format!("payload of {payload_len} bytes for symbols of {}", d.symbol_size),
        );
    }
    // `max_message_bytes` is not a grammar rule: a message over it is authentic traffic that the
    // receiver names lost (`too-large`) once its tag verified, rather than dropping it unseen.
    let total = d.message_len.saturating_add(TRAILER_LEN as u64);
    let max_block_len = u64::from(d.symbol_size).saturating_mul(u64::from(limits.max_block_symbols));
    if d.block_len == 0 || u64::from(d.block_len) > max_block_len || u64::from(d.block_len) > total {
        return fail(
            at,
            "block_length",
            format!("block of {} bytes is out of range", d.block_len),
        );
    }
    // Every block holds at least one byte, so there are no more blocks than bytes.
    if d.block_count == 0 || d.block >= d.block_count || u64::from(d.block_count) > total {
        return fail(
            at,
            "block",
            format!("block {} of {} is out of range", d.block, d.block_count),
        );
    }
    let is_last = d.block.checked_add(1) == Some(d.block_count);
    if is_last != (flags & FLAG_LAST_BLOCK != 0) {
        return fail(
            at,
            "flags",
            "the last-block flag must be set on the last block and only there",
        );
    }
    if d.symbol_id > d.max_symbol_id() {
        return fail(
            at,
            "symbol_id",
            format!("symbol id {} is beyond this block's range", d.symbol_id),
        );
    }
    Ok((at, ()))
}

// §3 payload = payload-length OCTET
fn payload(i: &[u8], len: u16) -> PResult<'_, &[u8]> {
    if i.len() < usize::from(len).saturating_add(TAG_LEN) {
        return fail(
            i,
            "payload",
            format!("payload length {len} runs past the end of the datagram"),
        );
    }
    take(usize::from(len)).parse(i)
}

// §4 tag = 16 OCTET
fn tag(i: &[u8]) -> PResult<'_, &[u8]> {
    if i.len() < TAG_LEN {
        return fail(i, "tag", "datagram ends inside the authentication tag");
    }
    take(TAG_LEN).parse(i)
}

/// The pre-shared key, ready to compute and check tags (HMAC-SHA-256, §4).
#[derive(Clone)]
pub struct MacKey(Hmac<Sha256>);

impl std::fmt::Debug for MacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MacKey(..)")
    }
}

impl MacKey {
    /// Key the MAC. HMAC accepts any key length; [`super::Key`] enforces the minimum.
    pub fn new(key: &[u8]) -> MacKey {
        // INVARIANT: HMAC's `new_from_slice` accepts keys of any length (RFC 2104 §2).
        match Hmac::<Sha256>::new_from_slice(key) {
            Ok(mac) => MacKey(mac),
            Err(_) => MacKey(<Hmac<Sha256> as KeyInit>::new(&Default::default())),
        }
    }

    /// The truncated tag over `signed`.
    pub fn tag(&self, signed: &[u8]) -> [u8; TAG_LEN] {
        let mut mac = self.0.clone();
        mac.update(signed);
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; TAG_LEN];
        out.copy_from_slice(full.get(..TAG_LEN).unwrap_or(&[0u8; TAG_LEN]));
        out
    }

    /// Write the tag of a framed datagram (everything before its last [`TAG_LEN`] bytes) into
    /// those last bytes. A datagram shorter than a tag is left as it is.
    pub fn sign(&self, datagram: &mut [u8]) {
        let Some(at) = datagram.len().checked_sub(TAG_LEN) else {
            return;
        };
        let (signed, tag) = datagram.split_at_mut(at);
        tag.copy_from_slice(&self.tag(signed));
    }

    /// Check a frame's tag in constant time.
    pub fn verify(&self, frame: &Frame<'_>) -> bool {
        let mut mac = self.0.clone();
        mac.update(frame.signed);
        frame.tag.len() == TAG_LEN && mac.verify_truncated_left(frame.tag).is_ok()
    }
}

/// Append a data datagram (header, `payload`, tag) to `out`, which is cleared first.
pub fn encode_data(out: &mut Vec<u8>, key: &MacKey, session: u64, sequence: u64, d: &DataHeader, payload: &[u8]) {
    encode_data_unsigned(out, session, sequence, d, payload);
    key.sign(out);
}

/// As [`encode_data`], with the tag's place left zero: [`MacKey::sign`] fills it (the sender's
/// socket thread signs what its encoder thread framed). Never sent as is: a receiver drops it
/// as forged.
pub fn encode_data_unsigned(out: &mut Vec<u8>, session: u64, sequence: u64, d: &DataHeader, payload: &[u8]) {
    let last = d.block.checked_add(1) == Some(d.block_count);
    let flags = if last { FLAG_LAST_BLOCK } else { 0 } | if d.count > 0 { FLAG_PACKED } else { 0 };
    out.clear();
    out.push(VERSION);
    out.push(flags);
    out.extend_from_slice(&u16::try_from(payload.len()).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(&session.to_be_bytes());
    out.extend_from_slice(&sequence.to_be_bytes());
    out.extend_from_slice(&d.message_len.to_be_bytes());
    out.extend_from_slice(&d.block.to_be_bytes());
    out.extend_from_slice(&d.block_count.to_be_bytes());
    out.extend_from_slice(&d.block_len.to_be_bytes());
    out.extend_from_slice(&d.symbol_id.to_be_bytes());
    out.extend_from_slice(&d.symbol_size.to_be_bytes());
    out.extend_from_slice(&d.count.to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&[0u8; TAG_LEN]);
}

/// Append a heartbeat datagram carrying `last_sequence` to `out`, which is cleared first.
pub fn encode_heartbeat(out: &mut Vec<u8>, key: &MacKey, session: u64, last_sequence: u64) {
    out.clear();
    out.push(VERSION);
    out.push(FLAG_HEARTBEAT);
    out.extend_from_slice(&0u16.to_be_bytes());
    out.extend_from_slice(&session.to_be_bytes());
    out.extend_from_slice(&last_sequence.to_be_bytes());
    out.extend_from_slice(&[0u8; HEADER_LEN - 20]);
    let tag = key.tag(out);
    out.extend_from_slice(&tag);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_an_unsigned_datagram_gives_the_signed_one() {
        let (mut signed, mut unsigned) = (Vec::new(), Vec::new());
        encode_data(&mut signed, &key(), 1, 2, &data(), b"ABCDEFGH");
        encode_data_unsigned(&mut unsigned, 1, 2, &data(), b"ABCDEFGH");
        assert_ne!(signed, unsigned);
        let limits = limits();
        assert!(
            !key().verify(&parse(&unsigned, &limits).unwrap()),
            "an unsigned datagram is forged"
        );
        key().sign(&mut unsigned);
        assert_eq!(signed, unsigned);
        assert!(key().verify(&parse(&unsigned, &limits).unwrap()));
        let mut short = vec![1u8; TAG_LEN - 1];
        key().sign(&mut short);
        assert_eq!(short, vec![1u8; TAG_LEN - 1]);
    }

    fn limits() -> FrameLimits {
        FrameLimits {
            max_datagram: 1472,
            max_message_bytes: 1 << 20,
            max_block_symbols: 64,
        }
    }

    fn key() -> MacKey {
        MacKey::new(&[7u8; 32])
    }

    fn data() -> DataHeader {
        DataHeader {
            message_len: 100,
            block: 0,
            block_count: 1,
            block_len: 140,
            symbol_id: 1,
            symbol_size: 8,
            count: 0,
        }
    }

    //--- case: a data datagram round-trips and its tag verifies
    #[test]
    fn can_round_trip_data_datagram() {
        let mut buf = Vec::new();
        encode_data(&mut buf, &key(), 0x1122_3344_5566_7788, 9, &data(), b"ABCDEFGH");
        assert_eq!(buf.len(), HEADER_LEN + 8 + TAG_LEN);
        let frame = parse(&buf, &limits()).unwrap();
        assert_eq!(frame.header.session, 0x1122_3344_5566_7788);
        assert_eq!(frame.header.sequence, 9);
        assert_eq!(frame.header.kind, Kind::Data(data()));
        assert_eq!(frame.payload, b"ABCDEFGH");
        assert!(key().verify(&frame));
        assert!(!MacKey::new(&[8u8; 32]).verify(&frame));
    }

    //--- case: a heartbeat round-trips
    #[test]
    fn can_round_trip_heartbeat() {
        let mut buf = Vec::new();
        encode_heartbeat(&mut buf, &key(), 5, 42);
        assert_eq!(buf.len(), OVERHEAD_LEN);
        let frame = parse(&buf, &limits()).unwrap();
        assert_eq!(
            frame.header,
            Header {
                session: 5,
                sequence: 42,
                kind: Kind::Heartbeat
            }
        );
        assert!(key().verify(&frame));
    }

    //--- case: byte offsets of the header as the protocol document's table gives them
    #[test]
    fn lays_out_header_at_documented_offsets() {
        let mut buf = Vec::new();
        encode_data(&mut buf, &key(), 1, 2, &data(), b"ABCDEFGH");
        assert_eq!(buf.first(), Some(&VERSION));
        assert_eq!(buf.get(1), Some(&FLAG_LAST_BLOCK));
        assert_eq!(buf.get(2..4), Some(&[0u8, 8][..]));
        assert_eq!(buf.get(4..12), Some(&1u64.to_be_bytes()[..]));
        assert_eq!(buf.get(12..20), Some(&2u64.to_be_bytes()[..]));
        assert_eq!(buf.get(20..28), Some(&100u64.to_be_bytes()[..]));
        assert_eq!(buf.get(36..40), Some(&140u32.to_be_bytes()[..]));
        assert_eq!(buf.get(40..44), Some(&1u32.to_be_bytes()[..]));
        assert_eq!(buf.get(44..46), Some(&8u16.to_be_bytes()[..]));
        assert_eq!(buf.get(48..56), Some(&b"ABCDEFGH"[..]));
    }

    //--- case: every truncation is refused, never a panic
    #[test]
    fn rejects_every_truncation() {
        let mut buf = Vec::new();
        encode_data(&mut buf, &key(), 1, 2, &data(), b"ABCDEFGH");
        for n in 0..buf.len() {
            assert!(parse(buf.get(..n).unwrap(), &limits()).is_err(), "length {n}");
        }
    }

    //--- case: trailing bytes, wrong version, reserved flags, oversize
    #[test]
    fn rejects_malformed_headers() {
        let mut buf = Vec::new();
        encode_data(&mut buf, &key(), 1, 2, &data(), b"ABCDEFGH");
        let mut trailing = buf.clone();
        trailing.push(0);
        assert_eq!(parse(&trailing, &limits()).unwrap_err().rule, "datagram");
        let mut v3 = buf.clone();
        v3[0] = 3;
        assert_eq!(parse(&v3, &limits()).unwrap_err().rule, "version");
        let mut fl = buf.clone();
        fl[1] = 0x80;
        assert_eq!(parse(&fl, &limits()).unwrap_err().rule, "flags");
        let mut not_last = buf.clone();
        not_last[1] = 0;
        assert_eq!(parse(&not_last, &limits()).unwrap_err().rule, "flags");
        let big = vec![0u8; 2000];
        assert_eq!(parse(&big, &limits()).unwrap_err().rule, "max_datagram");
        // Bytes 46-47 are the pack count: zero without the packed flag, and always in version 1.
        let mut res = buf.clone();
        res[47] = 1;
        assert_eq!(parse(&res, &limits()).unwrap_err().rule, "count");
        let mut v1 = buf.clone();
        v1[0] = VERSION_1;
        v1[1] |= FLAG_PACKED;
        v1[47] = 1;
        assert_eq!(parse(&v1, &limits()).unwrap_err().rule, "reserved");
    }

    //--- case: a pack round-trips; its count must fit its sequence numbers and size
    #[test]
    fn can_round_trip_a_pack_and_refuses_impossible_ones() {
        let pack = DataHeader { count: 3, ..data() };
        let mut buf = Vec::new();
        encode_data(&mut buf, &key(), 1, 2, &pack, b"ABCDEFGH");
        assert_eq!(buf[1] & FLAG_PACKED, FLAG_PACKED);
        assert_eq!(parse(&buf, &limits()).unwrap().header.kind, Kind::Data(pack));
        let mut v1 = Vec::new();
        encode_data(&mut v1, &key(), 1, 2, &data(), b"ABCDEFGH");
        v1[0] = VERSION_1;
        assert!(parse(&v1, &limits()).is_ok(), "version 1 without packs is still read");
        for (seq, d) in [
            (u64::MAX, DataHeader { count: 2, ..data() }),
            (2, DataHeader { count: 26, ..data() }),
        ] {
            let mut b = Vec::new();
            encode_data(&mut b, &key(), 1, seq, &d, b"ABCDEFGH");
            assert_eq!(parse(&b, &limits()).unwrap_err().rule, "count", "{d:?}");
        }
    }

    //--- case: field ranges
    #[test]
    fn rejects_out_of_range_fields() {
        let cases: [(DataHeader, &str); 4] = [
            (DataHeader { block: 1, ..data() }, "block"),
            (DataHeader { block_len: 0, ..data() }, "block_length"),
            (
                DataHeader {
                    block_len: 8 * 65,
                    ..data()
                },
                "block_length",
            ),
            (
                DataHeader {
                    symbol_id: 1000,
                    ..data()
                },
                "symbol_id",
            ),
        ];
        for (d, rule) in cases {
            let mut buf = Vec::new();
            encode_data(&mut buf, &key(), 1, 2, &d, b"ABCDEFGH");
            assert_eq!(parse(&buf, &limits()).unwrap_err().rule, rule, "{d:?}");
        }
        let mut buf = Vec::new();
        encode_data(&mut buf, &key(), 1, 2, &data(), b"ABC");
        assert_eq!(parse(&buf, &limits()).unwrap_err().rule, "symbol_size");
    }
}
