//! The sending side: cut a message into blocks, add its trailer, encode each block with RaptorQ,
//! frame and sign every symbol, and pace the datagrams onto a UDP socket that is never read.
//!
//! [`MessageEncoder`] is the socket-free core (tests, benchmarks and the fuzz corpus use it);
//! [`Sender`] puts it on a socket behind a [`TokenBucket`].

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use raptorq::{ObjectTransmissionInformation, SourceBlockEncoder, SourceBlockEncodingPlan};
use sha2::{Digest, Sha256};

use super::frame::{self, DataHeader, MacKey, OVERHEAD_LEN, TRAILER_LEN};
use super::pacing::{Pacing, Rate, TokenBucket};
use super::pipeline;
use super::{DiodeError, Key};

/// How a sender frames and encodes. `SenderConfig::new(to, key)` gives the defaults.
#[derive(Debug, Clone)]
pub struct SenderConfig {
    /// Where the datagrams go (the receiver, across the diode).
    pub to: SocketAddr,
    /// Local address to send from; `None` picks an ephemeral port on the wildcard address.
    pub bind: Option<SocketAddr>,
    /// Bytes per second on the wire, counting whole datagrams: by default ([`Rate::Auto`]) the
    /// link's speed, or [`super::pacing::DEFAULT_RATE`] where the kernel reports none.
    pub rate: Rate,
    /// Repair symbols per block, as a percentage of its source symbols (rounded up), 0..=100.
    pub overhead_percent: u32,
    /// Largest UDP datagram (payload of the UDP packet) in bytes: 1472 fits Ethernet over IPv4.
    pub mtu: usize,
    /// Most source symbols per block. Larger blocks spread loss better; smaller decode faster.
    pub max_block_symbols: u32,
    /// How often [`Sender::tick`] sends a heartbeat when nothing else is sent.
    pub heartbeat_interval: Duration,
    /// Largest message sent; a larger one is refused before anything of it is sent (the
    /// receiver would refuse it: same default, [`super::limits::DEFAULT_MAX_MESSAGE_BYTES`]).
    pub max_message_bytes: u64,
    /// Batches of up to 128 datagrams between the encoder thread and the socket when a message
    /// of more than one block is sent (at most this many exist: memory is bounded by it, about
    /// `pipeline_batches × 128 × mtu` bytes); 0 encodes and sends on the caller's thread alone.
    pub pipeline_batches: usize,
    pub key: Key,
}

/// Batches in flight between a sender's encoder thread and its socket: 8 × 128 datagrams, about
/// 1.5 MiB at the default MTU (3 measured 10% slower on one 256 MiB file, 16 no faster).
pub const DEFAULT_PIPELINE_BATCHES: usize = 8;

impl SenderConfig {
    /// Defaults: 10 % overhead, MTU 1472, 512 symbols per block, paced to the link
    /// ([`Rate::Auto`]), heartbeat every second, [`DEFAULT_PIPELINE_BATCHES`].
    pub fn new(to: SocketAddr, key: Key) -> SenderConfig {
        SenderConfig {
            to,
            bind: None,
            rate: Rate::Auto,
            overhead_percent: 10,
            mtu: 1472,
            max_block_symbols: 512,
            heartbeat_interval: Duration::from_secs(1),
            max_message_bytes: super::limits::DEFAULT_MAX_MESSAGE_BYTES,
            pipeline_batches: DEFAULT_PIPELINE_BATCHES,
            key,
        }
    }
}

/// The socket-free half of the sender: message in, signed datagrams out.
#[derive(Debug)]
pub struct MessageEncoder {
    mac: MacKey,
    session: u64,
    symbol_size: u16,
    max_block_symbols: u32,
    overhead_percent: u32,
    /// Sign each datagram (false while [`Sender`]'s encoder thread frames datagrams that its
    /// socket thread signs).
    sign: bool,
    buf: Vec<u8>,
    /// The block being encoded (message bytes, trailer, padding), reused.
    block: Vec<u8>,
    /// The pack being encoded, reused.
    pack: Vec<u8>,
    /// RaptorQ encoding plans by source symbol count: the constraint matrix is solved once per K,
    /// not once per block.
    plans: std::collections::HashMap<u16, SourceBlockEncodingPlan>,
}

/// Encoding plans kept (every full block of a large message has the same K; packs and small
/// messages a few more).
const MAX_PLANS: usize = 64;

impl MessageEncoder {
    /// Check the framing parameters and key the MAC. `session` is normally [`new_session_id`].
    pub fn new(
        key: &Key,
        session: u64,
        mtu: usize,
        overhead_percent: u32,
        max_block_symbols: u32,
    ) -> Result<MessageEncoder, DiodeError> {
        if !(OVERHEAD_LEN + 16..=65_507).contains(&mtu) {
            return Err(DiodeError::Config(format!(
                "mtu `{mtu}` is out of range, it must be between {} and 65507",
                OVERHEAD_LEN + 16
            )));
        }
        if overhead_percent > 100 {
            return Err(DiodeError::Config(format!(
                "overhead `{overhead_percent}`% is above 100%"
            )));
        }
        if !(1..=8192).contains(&max_block_symbols) {
            return Err(DiodeError::Config(format!(
                "block size of `{max_block_symbols}` symbols is out of range 1..=8192"
            )));
        }
        // Symbols a multiple of 8 bytes keep RaptorQ's row operations word-aligned.
        let symbol_size = u16::try_from((mtu - OVERHEAD_LEN) / 8 * 8).unwrap_or(0xFFF8);
        Ok(MessageEncoder {
            mac: key.mac(),
            session,
            symbol_size,
            max_block_symbols,
            overhead_percent,
            sign: true,
            buf: Vec::with_capacity(mtu),
            block: Vec::new(),
            pack: Vec::new(),
            plans: std::collections::HashMap::new(),
        })
    }

    pub fn session(&self) -> u64 {
        self.session
    }

    /// Bytes of message data per datagram (T).
    pub fn symbol_size(&self) -> u16 {
        self.symbol_size
    }

    /// Bytes of the largest datagram it writes: a full symbol with its header and tag. Every
    /// datagram of a message's full blocks is this long.
    pub fn datagram_len(&self) -> usize {
        OVERHEAD_LEN + usize::from(self.symbol_size)
    }

    /// Blocks a message of `len` bytes is cut into (§5.1).
    pub fn block_count(&self, len: u64) -> u64 {
        let total = len.saturating_add(TRAILER_LEN as u64);
        let t = u64::from(self.symbol_size).min(total.div_ceil(8) * 8);
        total.div_ceil(t.saturating_mul(u64::from(self.max_block_symbols)).max(1))
    }

    /// Encode `message` as sequence number `sequence` and hand each datagram to `emit`, source
    /// symbols of a block first, then its repair symbols, block after block.
    pub fn encode<E>(
        &mut self,
        sequence: u64,
        message: &[u8],
        emit: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut at = 0usize;
        self.encode_from(
            sequence,
            message.len() as u64,
            |buf| {
                let end = at.saturating_add(buf.len());
                buf.copy_from_slice(message.get(at..end).unwrap_or_default());
                at = end;
                Ok(())
            },
            emit,
        )
    }

    /// Encode a message of `len` bytes that `read` hands over in order, one block's worth at a
    /// time (it must fill each buffer it is given): a file is sent without being held in memory.
    /// The trailer's SHA-256 is computed on the way, so the source is read once.
    pub(crate) fn encode_from<E>(
        &mut self,
        sequence: u64,
        len: u64,
        read: impl FnMut(&mut [u8]) -> Result<(), E>,
        emit: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        self.encode_object(sequence, 0, len, read, emit)
    }

    /// Encode `messages` as one pack (§5.4) numbered `first_sequence` on: they share blocks,
    /// repair symbols and a trailer. Between 1 and 65,535 messages, at most
    /// [`frame::MAX_PACK_BYTES`] with their 4-byte length prefixes (see [`pack_len`]).
    pub fn encode_pack<E, M: AsRef<[u8]>>(
        &mut self,
        first_sequence: u64,
        messages: &[M],
        emit: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut body = std::mem::take(&mut self.pack);
        body.clear();
        for m in messages {
            let m = m.as_ref();
            body.extend_from_slice(&(m.len() as u32).to_be_bytes());
            body.extend_from_slice(m);
        }
        let count = u16::try_from(messages.len()).unwrap_or(u16::MAX);
        let mut at = 0usize;
        let result = self.encode_object(
            first_sequence,
            count,
            body.len() as u64,
            |buf| {
                let end = at.saturating_add(buf.len());
                buf.copy_from_slice(body.get(at..end).unwrap_or_default());
                at = end;
                Ok(())
            },
            emit,
        );
        self.pack = body;
        result
    }

    fn encode_object<E>(
        &mut self,
        sequence: u64,
        count: u16,
        len: u64,
        mut read: impl FnMut(&mut [u8]) -> Result<(), E>,
        mut emit: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let total = len.saturating_add(TRAILER_LEN as u64);
        // A message smaller than one full symbol goes as one symbol of its own size (rounded up
        // to 8 bytes), so that small messages are not padded to the MTU (§5.1).
        let t = u64::from(self.symbol_size).min(total.div_ceil(8) * 8);
        let block_bytes = t * u64::from(self.max_block_symbols);
        let block_count = total.div_ceil(block_bytes);
        let mut hasher = Sha256::new();
        let mut trailer: Option<[u8; TRAILER_LEN]> = None;
        let mut block = std::mem::take(&mut self.block);
        let mut result = Ok(());
        for b in 0..block_count {
            let start = b * block_bytes;
            let end = (start + block_bytes).min(total);
            let block_len = (end - start) as usize;
            // Every byte up to `block_len` is written below (message bytes, then the trailer):
            // only the padding after them is zeroed here.
            block.resize(block_len.div_ceil(t as usize) * t as usize, 0);
            if let Some(padding) = block.get_mut(block_len..) {
                padding.fill(0);
            }
            let message_end = end.min(len);
            if start < message_end {
                let n = (message_end - start) as usize;
                let part = block.get_mut(..n).unwrap_or_default();
                if let Err(e) = read(part) {
                    result = Err(e);
                    break;
                }
                hasher.update(&*part);
            }
            if end > len {
                // The trailer, after every message byte was hashed.
                let tr = *trailer.get_or_insert_with(|| {
                    let mut tr = [0u8; TRAILER_LEN];
                    tr[..8].copy_from_slice(&len.to_be_bytes());
                    tr[8..].copy_from_slice(&std::mem::take(&mut hasher).finalize());
                    tr
                });
                let from = start.max(len);
                let (a, z) = ((from - len) as usize, (end - len) as usize);
                let at = (from - start) as usize;
                // Zeroed first: the block buffer is reused, and nothing of an earlier message
                // may stand where the trailer goes should its bounds ever not hold.
                if let Some(dst) = block.get_mut(at..block_len) {
                    dst.fill(0);
                }
                if let (Some(dst), Some(src)) = (block.get_mut(at..at + (z - a)), tr.get(a..z)) {
                    dst.copy_from_slice(src);
                }
            }
            let header = DataHeader {
                message_len: len,
                block: b as u32,
                block_count: block_count as u32,
                block_len: block_len as u32,
                symbol_id: 0,
                symbol_size: t as u16,
                count,
            };
            if let Err(e) = self.encode_block(sequence, header, &block, &mut emit) {
                result = Err(e);
                break;
            }
        }
        self.block = block;
        result
    }

    fn encode_block<E>(
        &mut self,
        sequence: u64,
        header: DataHeader,
        data: &[u8],
        emit: &mut impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let t = usize::from(header.symbol_size);
        let k = data.len().div_ceil(t) as u32;
        let repair = repair_symbols(k, self.overhead_percent);
        // Source symbols are the block's own bytes (RFC 6330 is systematic): send them straight away.
        for (esi, symbol) in data.chunks(t).enumerate() {
            let h = DataHeader {
                symbol_id: esi as u32,
                ..header
            };
            self.frame(sequence, &h, symbol);
            emit(&self.buf)?;
        }
        if repair == 0 {
            return Ok(());
        }
        let oti = ObjectTransmissionInformation::new(data.len() as u64, header.symbol_size, 1, 1, 1);
        let encoder = match u16::try_from(k) {
            Ok(k16) => {
                if !self.plans.contains_key(&k16) && self.plans.len() >= MAX_PLANS {
                    self.plans.clear();
                }
                let plan = self
                    .plans
                    .entry(k16)
                    .or_insert_with(|| SourceBlockEncodingPlan::generate(k16));
                SourceBlockEncoder::with_encoding_plan(0, &oti, data, plan)
            }
            Err(_) => SourceBlockEncoder::new(0, &oti, data),
        };
        for packet in encoder.repair_packets(0, repair) {
            let h = DataHeader {
                symbol_id: packet.payload_id().encoding_symbol_id(),
                ..header
            };
            self.frame(sequence, &h, packet.data());
            emit(&self.buf)?;
        }
        Ok(())
    }

    fn frame(&mut self, sequence: u64, h: &DataHeader, payload: &[u8]) {
        if self.sign {
            frame::encode_data(&mut self.buf, &self.mac, self.session, sequence, h, payload);
        } else {
            frame::encode_data_unsigned(&mut self.buf, self.session, sequence, h, payload);
        }
    }

    /// As [`MessageEncoder::encode_from`], with every datagram's tag left zero for the caller
    /// to fill with [`MacKey::sign`] before it is sent (`Sender`'s socket thread does).
    fn encode_from_unsigned<E>(
        &mut self,
        sequence: u64,
        len: u64,
        read: impl FnMut(&mut [u8]) -> Result<(), E>,
        emit: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        self.sign = false;
        let r = self.encode_object(sequence, 0, len, read, emit);
        self.sign = true;
        r
    }

    /// The heartbeat datagram announcing `last_sequence` as the last message sent.
    pub fn heartbeat(&mut self, last_sequence: u64) -> &[u8] {
        frame::encode_heartbeat(&mut self.buf, &self.mac, self.session, last_sequence);
        &self.buf
    }
}

/// Messages up to this size are packed together by [`Sender::send_batch`] (§5.4).
pub const PACK_ITEM_MAX: usize = 64 << 10;
/// A pack is closed when the next message would take it past this many bytes.
pub const PACK_TARGET: usize = 256 << 10;

/// Bytes of a pack of `messages`: each with its 4-byte length prefix.
pub fn pack_len<M: AsRef<[u8]>>(messages: &[M]) -> usize {
    messages.iter().map(|m| m.as_ref().len() + 4).sum()
}

/// Repair symbols for a block of `k` source symbols at `overhead_percent` (§5.2):
/// `ceil(k × overhead / 100)`, plus 2 when the overhead is not zero, because RaptorQ decodes from
/// exactly `k` symbols only about 99 % of the time and from `k + 2` all but one time in a million.
pub fn repair_symbols(k: u32, overhead_percent: u32) -> u32 {
    if overhead_percent == 0 {
        return 0;
    }
    let base = (u64::from(k) * u64::from(overhead_percent)).div_ceil(100);
    u32::try_from(base).unwrap_or(u32::MAX).saturating_add(2)
}

/// A new session id: the start time in Unix seconds in the high 32 bits (so a receiver can refuse
/// replays of older sessions, §7), 32 random bits below.
pub fn new_session_id() -> Result<u64, DiodeError> {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let random = getrandom::u32().map_err(|e| DiodeError::Config(format!("no randomness for a session id: {e}")))?;
    Ok(((secs & 0xFFFF_FFFF) << 32) | u64::from(random))
}

/// What a sender has done so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SenderStats {
    pub messages: u64,
    pub message_bytes: u64,
    pub datagrams: u64,
    pub wire_bytes: u64,
    pub heartbeats: u64,
    /// Packs sent (§5.4); their messages count in `messages`.
    pub packs: u64,
    /// Datagrams handed to the kernel joined with others, for it to cut (UDP segmentation
    /// offload, §8); 0 where the kernel or the link refuses it. The wire is the same either way.
    pub segmented: u64,
}

/// Datagrams handed to the kernel with one `sendmmsg` call, and between a large message's
/// encoder thread and its socket thread.
const BATCH: usize = 128;

/// Datagrams waiting to be sent together: their bytes back to back, and where each ends.
#[derive(Debug, Default)]
struct Batch {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Batch {
    fn with_capacity(mtu: usize) -> Batch {
        Batch {
            bytes: Vec::with_capacity(BATCH * mtu),
            ends: Vec::with_capacity(BATCH),
        }
    }

    fn push(&mut self, datagram: &[u8]) {
        self.bytes.extend_from_slice(datagram);
        self.ends.push(self.bytes.len());
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }
}

/// A sender on a UDP socket. It only ever sends: the socket is never read.
#[derive(Debug)]
pub struct Sender {
    wire: Wire,
    encoder: MessageEncoder,
    bucket: Option<TokenBucket>,
    pacing: Pacing,
    batch: Batch,
    next_sequence: u64,
    heartbeat_interval: Duration,
    max_message_bytes: u64,
    /// Batches between the encoder thread and the socket (`SenderConfig::pipeline_batches`).
    pipeline_batches: usize,
    mtu: usize,
    last_sent: Instant,
    stats: SenderStats,
    /// Small messages given sequence numbers by [`Sender::queue`], not sent yet.
    queued: Vec<Vec<u8>>,
    queued_bytes: usize,
}

impl Sender {
    /// Bind the socket and start a new session.
    pub fn new(cfg: SenderConfig) -> Result<Sender, DiodeError> {
        let session = new_session_id()?;
        let encoder = MessageEncoder::new(&cfg.key, session, cfg.mtu, cfg.overhead_percent, cfg.max_block_symbols)?;
        let bind = cfg.bind.unwrap_or(match cfg.to {
            SocketAddr::V4(_) => SocketAddr::from(([0, 0, 0, 0], 0)),
            SocketAddr::V6(_) => SocketAddr::from(([0u16; 8], 0)),
        });
        let socket = UdpSocket::bind(bind).map_err(|e| DiodeError::io(format!("cannot bind `{bind}`"), e))?;
        // Connecting a UDP socket only fixes its destination (no packet goes out): the kernel
        // then skips the route lookup per datagram, and `sendmmsg` needs no address.
        socket
            .connect(cfg.to)
            .map_err(|e| DiodeError::io(format!("cannot address `{}`", cfg.to), e))?;
        // A larger send buffer absorbs bursts: forced past net.core.wmem_max when privileged,
        // else capped by it.
        if rustix::net::sockopt::set_socket_send_buffer_size_force(&socket, 8 << 20).is_err() {
            let _ = rustix::net::sockopt::set_socket_send_buffer_size(&socket, 8 << 20);
        }
        let pacing = super::pacing::resolve(cfg.rate, &socket, cfg.mtu);
        let wire = Wire::new(socket, cfg.to, encoder.datagram_len());
        tracing::info!(
            rate = pacing.rate.map_or_else(|| "unpaced".to_string(), |r| r.to_string()),
            source = %pacing.source,
            "pacing"
        );
        let bucket = pacing.rate.map(|r| TokenBucket::new(r, (cfg.mtu as u64).max(r / 100)));
        Ok(Sender {
            wire,
            encoder,
            bucket,
            pacing,
            batch: Batch::with_capacity(cfg.mtu),
            pipeline_batches: cfg.pipeline_batches,
            mtu: cfg.mtu,
            next_sequence: 1,
            heartbeat_interval: cfg.heartbeat_interval,
            max_message_bytes: cfg.max_message_bytes,
            queued: Vec::new(),
            queued_bytes: 0,
            last_sent: Instant::now(),
            stats: SenderStats::default(),
        })
    }

    pub fn session(&self) -> u64 {
        self.encoder.session()
    }

    pub fn stats(&self) -> &SenderStats {
        &self.stats
    }

    /// The rate this sender paces to, and why.
    pub fn pacing(&self) -> &Pacing {
        &self.pacing
    }

    /// The largest message this sender sends.
    pub fn max_message_bytes(&self) -> u64 {
        self.max_message_bytes
    }

    /// Refuse a message of `len` bytes that the receiver would refuse (`what` names it).
    pub fn check_size(&self, what: &str, len: u64) -> Result<(), DiodeError> {
        if len > self.max_message_bytes {
            return Err(DiodeError::TooLarge {
                what: what.to_string(),
                bytes: len,
                limit: self.max_message_bytes,
            });
        }
        Ok(())
    }

    /// Send one message; returns its sequence number. Blocks while the token bucket refills.
    /// A message over `max_message_bytes` is refused before anything of it is sent.
    pub fn send_message(&mut self, message: &[u8]) -> Result<u64, DiodeError> {
        self.check_size("the message", message.len() as u64)?;
        let mut at = 0usize;
        self.send_from(message.len() as u64, |buf| {
            let end = at.saturating_add(buf.len());
            buf.copy_from_slice(message.get(at..end).unwrap_or_default());
            at = end;
            Ok(())
        })
    }

    /// Send the file at `path` as one message, read a block at a time (its memory does not grow
    /// with its size). A file over `max_message_bytes` is refused before anything is sent; a
    /// file that changes size while it is read is an error (the receiver records it lost).
    pub fn send_file(&mut self, path: &std::path::Path) -> Result<u64, DiodeError> {
        use std::io::Read;
        let shown = path.display().to_string();
        let mut file = std::fs::File::open(path).map_err(|e| DiodeError::io(format!("cannot read `{shown}`"), e))?;
        let len = file
            .metadata()
            .map_err(|e| DiodeError::io(format!("cannot read `{shown}`"), e))?
            .len();
        self.check_size(&format!("`{shown}`"), len)?;
        // Read straight into each block (a block is hundreds of KiB: a buffer in between would
        // only copy it once more).
        let reader = &mut file;
        let seq = self.send_from(len, |buf| {
            reader
                .read_exact(buf)
                .map_err(|e| DiodeError::io(format!("cannot read `{shown}` (did it change while it was sent?)"), e))
        })?;
        let mut extra = [0u8; 1];
        if reader.read(&mut extra).unwrap_or(0) != 0 {
            return Err(DiodeError::io(
                format!("`{shown}` grew while it was sent; it was sent cut at {len} bytes and the receiver refuses it"),
                std::io::Error::other("file changed"),
            ));
        }
        Ok(seq)
    }

    /// Send `messages` in order, packing consecutive small ones (up to [`PACK_ITEM_MAX`]) into
    /// shared blocks of up to [`PACK_TARGET`] bytes (§5.4); larger ones go alone. Returns their
    /// sequence numbers, in order. A message over `max_message_bytes` is refused before anything
    /// is sent.
    pub fn send_batch<M: AsRef<[u8]>>(&mut self, messages: &[M]) -> Result<Vec<u64>, DiodeError> {
        for (i, m) in messages.iter().enumerate() {
            self.check_size(&format!("message {} of the batch", i + 1), m.as_ref().len() as u64)?;
        }
        let mut seqs = Vec::with_capacity(messages.len());
        let mut start = 0;
        while start < messages.len() {
            // The longest run of small messages from `start` that fits a pack.
            let mut end = start;
            let mut bytes = 0usize;
            while let Some(m) = messages.get(end) {
                let n = m.as_ref().len();
                if n > PACK_ITEM_MAX
                    || end - start >= usize::from(u16::MAX)
                    || (end > start && bytes + n + 4 > PACK_TARGET)
                {
                    break;
                }
                bytes += n + 4;
                end += 1;
            }
            match end - start {
                0 | 1 => {
                    let m = messages.get(start).map(AsRef::as_ref).unwrap_or_default();
                    seqs.push(self.send_message(m)?);
                    start += 1;
                }
                n => {
                    let run = messages.get(start..end).unwrap_or_default();
                    let first = self.send_pack(run)?;
                    seqs.extend(first..first + n as u64);
                    start = end;
                }
            }
        }
        Ok(seqs)
    }

    /// Give `message` its sequence number now and send it later, packed with the ones queued
    /// after it (§5.4), at [`Sender::flush_queue`] or when a pack is full. A message too large
    /// to pack is sent at once, after what is queued. Heartbeats announce only what was sent.
    pub fn queue(&mut self, message: &[u8]) -> Result<u64, DiodeError> {
        self.check_size("the message", message.len() as u64)?;
        if message.len() > PACK_ITEM_MAX {
            self.flush_queue()?;
            return self.send_message(message);
        }
        if self.queued_bytes + message.len() + 4 > PACK_TARGET {
            self.flush_queue()?;
        }
        let seq = self.next_sequence.saturating_add(self.queued.len() as u64);
        self.queued_bytes += message.len() + 4;
        self.queued.push(message.to_vec());
        Ok(seq)
    }

    /// Send what [`Sender::queue`] holds.
    pub fn flush_queue(&mut self) -> Result<(), DiodeError> {
        if self.queued.is_empty() {
            return Ok(());
        }
        let queued = std::mem::take(&mut self.queued);
        self.queued_bytes = 0;
        self.send_batch(&queued).map(|_| ())
    }

    /// Send one pack; returns the first sequence number (the others follow it).
    fn send_pack<M: AsRef<[u8]>>(&mut self, run: &[M]) -> Result<u64, DiodeError> {
        let first = self.next_sequence;
        let n = run.len() as u64;
        self.next_sequence = first.saturating_add(n);
        let Sender {
            wire,
            encoder,
            bucket,
            batch,
            stats,
            ..
        } = self;
        encoder.encode_pack(first, run, |d| {
            if let Some(b) = bucket.as_mut() {
                b.take(d.len());
            }
            batch.push(d);
            if batch.ends.len() >= BATCH {
                flush(wire, batch, stats)?;
            }
            Ok::<_, DiodeError>(())
        })?;
        flush(wire, batch, stats)?;
        self.stats.messages += n;
        self.stats.packs += 1;
        self.stats.message_bytes += run.iter().map(|m| m.as_ref().len() as u64).sum::<u64>();
        self.last_sent = Instant::now();
        Ok(first)
    }

    fn send_from(
        &mut self,
        len: u64,
        read: impl FnMut(&mut [u8]) -> Result<(), DiodeError> + Send,
    ) -> Result<u64, DiodeError> {
        let seq = self.next_sequence;
        // The sequence number is spent even if sending fails half way: the receiver then
        // records that message lost.
        self.next_sequence = seq.saturating_add(1);
        if self.pipeline_batches > 0 && self.encoder.block_count(len) > 1 {
            self.send_pipelined(seq, len, read)?;
        } else {
            let Sender {
                wire,
                encoder,
                bucket,
                batch,
                stats,
                ..
            } = self;
            encoder.encode_from(seq, len, read, |d| {
                if let Some(b) = bucket.as_mut() {
                    b.take(d.len());
                }
                batch.push(d);
                if batch.ends.len() >= BATCH {
                    flush(wire, batch, stats)?;
                }
                Ok::<_, DiodeError>(())
            })?;
            flush(wire, batch, stats)?;
        }
        self.stats.messages += 1;
        self.stats.message_bytes += len;
        self.last_sent = Instant::now();
        Ok(seq)
    }

    /// Send a message of more than one block on two threads: a scoped encoder thread reads,
    /// hashes, encodes and frames (`MessageEncoder`) into batches of [`BATCH`] datagrams, and
    /// this thread signs them (HMAC, §4), paces them and hands them to the kernel (about half
    /// the work each), through a [`pipeline`] of at most
    /// `pipeline_batches` batches (the encoder waits when they are all in use: nothing is
    /// dropped, and memory does not grow with the message). The encoder thread is started from
    /// this one, so it is under the same confinement (Landlock and seccomp bind a thread and what
    /// it starts, `crate::sandbox`). Either thread's error ends both and is returned: a failed
    /// send stops the encoder at its next batch, a failed read ends the sending after what was
    /// encoded.
    fn send_pipelined(
        &mut self,
        seq: u64,
        len: u64,
        read: impl FnMut(&mut [u8]) -> Result<(), DiodeError> + Send,
    ) -> Result<(), DiodeError> {
        let Sender {
            wire,
            encoder,
            bucket,
            stats,
            pipeline_batches,
            mtu,
            ..
        } = self;
        let (mut tx, rx) = pipeline::channel::<Batch>(*pipeline_batches);
        let mac = encoder.mac.clone();
        let mtu = *mtu;
        let make = move || Batch::with_capacity(mtu);
        std::thread::scope(|s| {
            let producer = std::thread::Builder::new()
                .name("diode-encoder".into())
                .spawn_scoped(s, move || {
                    let mut current = tx.take(make).map_err(|_| EncoderStop::Gone)?;
                    encoder.encode_from_unsigned(seq, len, read_as_stop(read), |d| {
                        current.push(d);
                        if current.ends.len() >= BATCH {
                            let next = tx.take(make).map_err(|_| EncoderStop::Gone)?;
                            tx.send(std::mem::replace(&mut current, next))
                                .map_err(|_| EncoderStop::Gone)?;
                        }
                        Ok(())
                    })?;
                    if !current.ends.is_empty() {
                        tx.send(current).map_err(|_| EncoderStop::Gone)?;
                    }
                    Ok::<(), EncoderStop>(())
                })
                .map_err(|e| DiodeError::io("cannot start the encoder thread".into(), e))?;
            let mut sent = Ok(());
            while let Ok(mut b) = rx.recv() {
                let mut start = 0;
                for &end in &b.ends {
                    if let Some(d) = b.bytes.get_mut(start..end) {
                        mac.sign(d);
                    }
                    if let Some(bucket) = bucket.as_mut() {
                        bucket.take(end - start);
                    }
                    start = end;
                }
                sent = flush(wire, &mut b, stats);
                if sent.is_err() {
                    break;
                }
                rx.give_back(b);
            }
            // A failed send drops the consumer: the encoder's next batch finds it gone.
            drop(rx);
            let encoded = producer
                .join()
                .map_err(|_| DiodeError::Config("the encoder thread panicked".into()))?;
            sent?;
            match encoded {
                Ok(()) => Ok(()),
                Err(EncoderStop::Read(e)) => Err(e),
                Err(EncoderStop::Gone) => Err(DiodeError::Config(
                    "the sending thread stopped before the message was sent".into(),
                )),
            }
        })
    }

    /// Send a heartbeat carrying the last sequence number sent (0 before the first message).
    pub fn heartbeat(&mut self) -> Result<(), DiodeError> {
        let last = self.next_sequence.saturating_sub(1);
        let Sender {
            wire,
            encoder,
            bucket,
            batch,
            stats,
            ..
        } = self;
        let d = encoder.heartbeat(last);
        if let Some(b) = bucket.as_mut() {
            b.take(d.len());
        }
        batch.push(d);
        flush(wire, batch, stats)?;
        self.stats.heartbeats += 1;
        self.last_sent = Instant::now();
        Ok(())
    }

    /// Send a heartbeat if nothing was sent for a heartbeat interval. Call it from an idle loop.
    pub fn tick(&mut self) -> Result<(), DiodeError> {
        if self.last_sent.elapsed() >= self.heartbeat_interval {
            self.heartbeat()?;
        }
        Ok(())
    }
}

/// Why a sender's encoder thread stopped early.
enum EncoderStop {
    /// Reading the message failed.
    Read(DiodeError),
    /// The sending thread stopped (its error is the one returned).
    Gone,
}

/// `read`, with its error wrapped for the encoder thread.
fn read_as_stop(
    mut read: impl FnMut(&mut [u8]) -> Result<(), DiodeError>,
) -> impl FnMut(&mut [u8]) -> Result<(), EncoderStop> {
    move |buf| read(buf).map_err(EncoderStop::Read)
}

/// Bytes of one message of segments handed to the kernel at most (the UDP length of the
/// whole, before the kernel cuts it, must fit 16 bits with the IP and UDP headers).
const MAX_SEGMENTED_BYTES: usize = 65_000;
/// Datagrams in one message of segments at most (the kernel's `UDP_MAX_SEGMENTS`).
const MAX_SEGMENTS: usize = 64;

/// The sender's socket, connected to the receiver, and whether the kernel cuts datagrams for it.
///
/// With UDP segmentation offload (`UDP_SEGMENT`, Linux 4.18) a run of datagrams of the same
/// length, laid back to back, goes down the stack as one message that the kernel (or the network
/// card) cuts into datagrams of that length just before the link: one pass through the socket,
/// IP and route code for up to [`MAX_SEGMENTS`] datagrams. What goes on the wire is the same
/// datagrams either way. The option is set once on the socket with the length of a full
/// datagram, so a message no longer than that is sent as it is; a message of segments is only
/// ever made of datagrams of exactly that length, the last one possibly shorter.
#[derive(Debug)]
struct Wire {
    socket: UdpSocket,
    to: SocketAddr,
    /// Segment length set on the socket; 0: off (the kernel refused it, or a link that cannot
    /// take it refused a message of segments).
    segment: usize,
}

impl Wire {
    fn new(socket: UdpSocket, to: SocketAddr, datagram_len: usize) -> Wire {
        let segment = match i32::try_from(datagram_len)
            .ok()
            .map(|n| nix::sys::socket::setsockopt(&socket, nix::sys::socket::sockopt::UdpGsoSegment, &n))
        {
            Some(Ok(())) => datagram_len,
            _ => {
                tracing::debug!("no UDP segmentation offload: one datagram per message to the kernel");
                0
            }
        };
        Wire { socket, to, segment }
    }

    /// Stop asking the kernel to cut messages (it refused one, `why`): every datagram is then
    /// its own message.
    fn segmentation_off(&mut self, why: rustix::io::Errno) -> Result<(), DiodeError> {
        tracing::info!(error = %why, "UDP segmentation offload refused: sending one datagram per message");
        nix::sys::socket::setsockopt(&self.socket, nix::sys::socket::sockopt::UdpGsoSegment, &0).map_err(|e| {
            DiodeError::io(
                format!("cannot turn UDP segmentation offload off to send to `{}`", self.to),
                e.into(),
            )
        })?;
        self.segment = 0;
        Ok(())
    }
}

/// The messages `sendmmsg` takes the datagrams `ends[from..]` of a batch in, when the socket
/// cuts segments of `segment` bytes (0: it does not): for each, the index past its last datagram.
/// A message of several datagrams is a run of datagrams of exactly `segment` bytes, the last
/// one possibly shorter, at most [`MAX_SEGMENTS`] of them and [`MAX_SEGMENTED_BYTES`] together.
fn runs(ends: &[usize], from: usize, segment: usize) -> Vec<usize> {
    let mut out = Vec::new();
    // Where the datagram before the current one ends, where the current run starts, how many
    // datagrams it holds, and whether its last one lets another follow.
    let mut prev = from.checked_sub(1).and_then(|i| ends.get(i)).copied().unwrap_or(0);
    let (mut start, mut count, mut open) = (prev, 0usize, false);
    for (i, &end) in ends.iter().enumerate().skip(from) {
        if !(open && count < MAX_SEGMENTS && end.saturating_sub(start) <= MAX_SEGMENTED_BYTES) {
            if count > 0 {
                out.push(i);
            }
            (start, count) = (prev, 0);
        }
        count += 1;
        open = segment > 0 && end.saturating_sub(prev) == segment;
        prev = end;
    }
    if count > 0 {
        out.push(ends.len());
    }
    out
}

/// Send every datagram of `batch` with `sendmmsg`, as many per call as the kernel takes, then
/// empty it; runs of full datagrams go as messages of segments when the socket cuts them. A full
/// local buffer is waited out rather than dropping our own datagrams.
fn flush(wire: &mut Wire, batch: &mut Batch, stats: &mut SenderStats) -> Result<(), DiodeError> {
    use rustix::net::{MMsgHdr, SendAncillaryBuffer, SendFlags, sendmmsg};
    // A datagram longer than the segment length would be cut: never, as the encoder writes
    // none, but a sender must not put anything else on the wire than what it framed.
    let longest = std::iter::once(0)
        .chain(batch.ends.iter().copied())
        .zip(batch.ends.iter())
        .map(|(start, &end)| end.saturating_sub(start))
        .max()
        .unwrap_or(0);
    if wire.segment > 0 && longest > wire.segment {
        wire.segmentation_off(rustix::io::Errno::MSGSIZE)?;
    }
    let mut sent = 0;
    while sent < batch.ends.len() {
        let ends = runs(&batch.ends, sent, wire.segment);
        let mut start = sent
            .checked_sub(1)
            .and_then(|i| batch.ends.get(i))
            .copied()
            .unwrap_or(0);
        let mut iovs = Vec::with_capacity(ends.len());
        for &last in &ends {
            let end = batch.ends.get(last.wrapping_sub(1)).copied().unwrap_or(start);
            iovs.push([std::io::IoSlice::new(batch.bytes.get(start..end).unwrap_or_default())]);
            start = end;
        }
        let mut controls: Vec<SendAncillaryBuffer<'_, '_, '_>> =
            iovs.iter().map(|_| SendAncillaryBuffer::default()).collect();
        let mut msgs: Vec<MMsgHdr<'_>> = iovs
            .iter()
            .zip(controls.iter_mut())
            .map(|(iov, control)| MMsgHdr::new(iov, control))
            .collect();
        match sendmmsg(&wire.socket, &mut msgs, SendFlags::empty()) {
            Ok(0) => std::thread::sleep(Duration::from_micros(50)),
            Ok(n) => {
                let mut first = sent;
                for &last in ends.iter().take(n) {
                    let joined = last.saturating_sub(first);
                    if joined > 1 {
                        stats.segmented = stats.segmented.saturating_add(joined as u64);
                    }
                    first = last;
                }
                sent = first;
            }
            // The local send buffer is full: wait for the kernel. A refused earlier datagram
            // (an ICMP error on a test link; a diode carries none) is reported once and cleared.
            Err(e)
                if e == rustix::io::Errno::AGAIN || e == rustix::io::Errno::NOBUFS || e == rustix::io::Errno::INTR =>
            {
                std::thread::sleep(Duration::from_micros(50));
            }
            Err(e) if e == rustix::io::Errno::CONNREFUSED => {}
            // A message of segments refused (a link without checksum offload, or one whose MTU
            // is below a full datagram): nothing of it was sent; send datagram by datagram.
            Err(e)
                if wire.segment > 0
                    && (e == rustix::io::Errno::IO
                        || e == rustix::io::Errno::INVAL
                        || e == rustix::io::Errno::MSGSIZE) =>
            {
                wire.segmentation_off(e)?;
            }
            Err(e) => return Err(DiodeError::io(format!("cannot send to `{}`", wire.to), e.into())),
        }
    }
    stats.datagrams += batch.ends.len() as u64;
    stats.wire_bytes += batch.bytes.len() as u64;
    batch.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The runs cover the datagrams from `from` on, in order, each once; a run of several is
        /// made of datagrams of exactly the segment length but its last, within the kernel's
        /// limits; and a run ends only where the next datagram could not join it.
        #[test]
        fn runs_are_what_the_kernel_cuts_back_into_the_same_datagrams(
            lens in proptest::collection::vec(prop_oneof![Just(1464usize), 1usize..=1464, Just(1464), Just(1464)], 0..300),
            segment in prop_oneof![Just(0usize), Just(1464), 1usize..=1464],
            from_at in 0.0f64..1.0,
        ) {
            let lens: Vec<usize> = lens.into_iter().map(|l| if segment > 0 { l.min(segment) } else { l }).collect();
            let ends: Vec<usize> = lens.iter().scan(0, |at, l| { *at += l; Some(*at) }).collect();
            let from = (from_at * ends.len() as f64) as usize;
            let got = runs(&ends, from, segment);
            let mut first = from;
            for (k, &last) in got.iter().enumerate() {
                prop_assert!(last > first);
                let run = &lens[first..last];
                if run.len() > 1 {
                    prop_assert!(segment > 0);
                    prop_assert!(run[..run.len() - 1].iter().all(|&l| l == segment));
                    prop_assert!(run.len() <= MAX_SEGMENTS);
                    prop_assert!(run.iter().sum::<usize>() <= MAX_SEGMENTED_BYTES);
                }
                if let (Some(&next), true) = (lens.get(last), k + 1 < got.len()) {
                    let could_join = segment > 0
                        && run[run.len() - 1] == segment
                        && run.len() < MAX_SEGMENTS
                        && run.iter().sum::<usize>() + next <= MAX_SEGMENTED_BYTES;
                    prop_assert!(!could_join, "run {k} ended early: {run:?} then {next}");
                }
                first = last;
            }
            prop_assert_eq!(first, ends.len().max(from));
        }
    }
}
