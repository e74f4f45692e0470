//! The telemetry journal: an append-only file of rows, one self-checking record per row.
//!
//! Record: `MAGIC` (4 bytes) · payload length (u32 LE) · CRC-32C of the length bytes and the payload
//! (u32 LE) · payload (the row as JSON). The daemon writes each record with one `write` on a file
//! opened `O_APPEND`, so a SIGKILL leaves every row it had pushed in the file; a power loss may leave
//! a torn or zero-filled tail, and a bad sector garbage in the middle. [`Reader`] returns every
//! record whose CRC holds, resynchronising on the next `MAGIC` after a bad one: the magic begins
//! with 0xF5, a byte that never occurs in UTF-8, so it cannot appear inside a JSON payload.

use crate::row::Row;
use std::io::{self, Read};

pub const MAGIC: [u8; 4] = [0xF5, b'S', b'J', b'1'];
const HEADER: usize = 12;
/// A length above this is corruption (a row is about 1 KiB).
pub const MAX_PAYLOAD: usize = 1 << 20;
const CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI);

/// One row as its journal record.
pub fn encode(row: &Row) -> Vec<u8> {
    let payload = serde_json::to_vec(row).expect("rows always serialise");
    let len = (payload.len() as u32).to_le_bytes();
    let mut digest = CRC.digest();
    digest.update(&len);
    digest.update(&payload);
    let mut rec = Vec::with_capacity(HEADER + payload.len());
    rec.extend_from_slice(&MAGIC);
    rec.extend_from_slice(&len);
    rec.extend_from_slice(&digest.finalize().to_le_bytes());
    rec.extend_from_slice(&payload);
    rec
}

/// What a [`Reader`] found besides its rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Damage {
    /// Bad stretches followed by a good record (each one or more lost rows).
    pub corrupt_spans: u64,
    /// Bytes in those stretches.
    pub corrupt_bytes: u64,
    /// Bytes after the last good record that form no record: a write cut short by a kill or a
    /// power loss. Dropped.
    pub torn_tail_bytes: u64,
}

impl std::ops::AddAssign for Damage {
    fn add_assign(&mut self, o: Damage) {
        self.corrupt_spans += o.corrupt_spans;
        self.corrupt_bytes += o.corrupt_bytes;
        self.torn_tail_bytes += o.torn_tail_bytes;
    }
}

/// Streams the rows of a journal with a bounded buffer (one record plus one read).
pub struct Reader<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    /// Bad bytes skipped since the last good record.
    pending: u64,
    pub damage: Damage,
}

impl<R: Read> Reader<R> {
    pub fn new(src: R) -> Self {
        Reader { src, buf: Vec::new(), pos: 0, eof: false, pending: 0, damage: Damage::default() }
    }

    /// Ensures `n` unread bytes are buffered; false when the journal ends first.
    fn fill(&mut self, n: usize) -> io::Result<bool> {
        while self.buf.len() - self.pos < n && !self.eof {
            if self.pos > 0 {
                self.buf.drain(..self.pos);
                self.pos = 0;
            }
            let at = self.buf.len();
            self.buf.resize(at + 64 * 1024, 0);
            let got = loop {
                match self.src.read(&mut self.buf[at..]) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    r => break r,
                }
            };
            self.buf.truncate(at + *got.as_ref().unwrap_or(&0));
            self.eof = got? == 0;
        }
        Ok(self.buf.len() - self.pos >= n)
    }

    /// The record at `pos`, if it is a good one.
    fn record_here(&mut self) -> io::Result<Option<(Row, usize)>> {
        let h = &self.buf[self.pos..self.pos + HEADER];
        if h[..4] != MAGIC {
            return Ok(None);
        }
        let len = u32::from_le_bytes(h[4..8].try_into().unwrap()) as usize;
        let crc = u32::from_le_bytes(h[8..12].try_into().unwrap());
        if len > MAX_PAYLOAD || !self.fill(HEADER + len)? {
            return Ok(None);
        }
        let rec = &self.buf[self.pos..self.pos + HEADER + len];
        let mut digest = CRC.digest();
        digest.update(&rec[4..8]);
        digest.update(&rec[HEADER..]);
        if digest.finalize() != crc {
            return Ok(None);
        }
        // A good CRC over a payload that is not a row is still not a row.
        Ok(serde_json::from_slice::<Row>(&rec[HEADER..]).ok().map(|r| (r, HEADER + len)))
    }

    /// The next good row; `None` at the end (a torn tail is counted in `damage` and dropped).
    pub fn next_row(&mut self) -> io::Result<Option<Row>> {
        loop {
            if !self.fill(HEADER)? {
                let rest = (self.buf.len() - self.pos) as u64;
                self.damage.torn_tail_bytes += self.pending + rest;
                self.pending = 0;
                self.pos = self.buf.len();
                return Ok(None);
            }
            if let Some((row, n)) = self.record_here()? {
                if self.pending > 0 {
                    self.damage.corrupt_spans += 1;
                    self.damage.corrupt_bytes += self.pending;
                    self.pending = 0;
                }
                self.pos += n;
                return Ok(Some(row));
            }
            self.skip_to_next_magic()?;
        }
    }

    /// Moves past the bad byte at `pos` to the next occurrence of `MAGIC` (or the end).
    fn skip_to_next_magic(&mut self) -> io::Result<()> {
        self.pos += 1;
        self.pending += 1;
        loop {
            let rest = &self.buf[self.pos..];
            if let Some(i) = rest.windows(MAGIC.len()).position(|w| w == MAGIC) {
                self.pos += i;
                self.pending += i as u64;
                return Ok(());
            }
            // Keep a possible partial magic at the end of the buffer.
            let keep = rest.len().min(MAGIC.len() - 1);
            let skipped = rest.len() - keep;
            self.pos += skipped;
            self.pending += skipped as u64;
            if self.eof || !self.fill(MAGIC.len())? {
                return Ok(());
            }
        }
    }
}

impl<R: Read> Iterator for Reader<R> {
    type Item = io::Result<Row>;
    fn next(&mut self) -> Option<io::Result<Row>> {
        self.next_row().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: u64) -> Row {
        Row {
            seq,
            time_ms: 1_700_000_000_000 + seq as i64,
            source: "sim:optimal".into(),
            reason: "ünïcode ✓".into(),
            ..Row::default()
        }
    }

    fn journal(seqs: std::ops::Range<u64>) -> Vec<u8> {
        seqs.flat_map(|s| encode(&row(s))).collect()
    }

    /// Reads through a reader that hands out `chunk` bytes per read, so records straddle reads.
    fn read(bytes: &[u8], chunk: usize) -> (Vec<u64>, Damage) {
        struct Chunky<'a>(&'a [u8], usize);
        impl Read for Chunky<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(out.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut r = Reader::new(Chunky(bytes, chunk));
        let seqs = r.by_ref().map(|x| x.unwrap().seq).collect();
        (seqs, r.damage)
    }

    #[test]
    fn every_record_reads_back_whatever_the_read_sizes() {
        let j = journal(1..50);
        for chunk in [1, 3, 7, 100, 1 << 20] {
            let (seqs, damage) = read(&j, chunk);
            assert_eq!(seqs, (1..50).collect::<Vec<_>>(), "chunk {chunk}");
            assert_eq!(damage, Damage::default());
        }
        let mut r = Reader::new(&j[..]);
        assert_eq!(r.next_row().unwrap().unwrap(), row(1), "every field survives");
    }

    #[test]
    fn a_torn_tail_is_dropped_at_every_cut() {
        let j = journal(1..4);
        let rec = encode(&row(3)).len();
        let whole = j.len() - rec;
        for cut in whole..j.len() {
            let (seqs, damage) = read(&j[..cut], 5);
            assert_eq!(seqs, vec![1, 2], "cut at {cut}");
            assert_eq!(
                damage,
                Damage { torn_tail_bytes: (cut - whole) as u64, ..Damage::default() }
            );
        }
        // A power loss can leave the tail zero-filled instead.
        let mut z = j.clone();
        z.extend(std::iter::repeat_n(0u8, 5000));
        let (seqs, damage) = read(&z, 4096);
        assert_eq!((seqs.len(), damage.torn_tail_bytes, damage.corrupt_spans), (3, 5000, 0));
    }

    #[test]
    fn a_corrupt_record_is_skipped_and_the_rest_is_kept() {
        let j = journal(1..6);
        let rec = encode(&row(1)).len();
        // A flipped bit anywhere in record 3 (magic, length, CRC or payload) loses only record 3.
        for at in [0, 1, 4, 6, 9, 12, rec / 2, rec - 1] {
            let mut bad = j.clone();
            bad[2 * rec + at] ^= 0x10;
            let (seqs, damage) = read(&bad, 64);
            assert_eq!(seqs, vec![1, 2, 4, 5], "bit flipped at offset {at} of record 3");
            assert_eq!(damage.corrupt_spans, 1);
            assert_eq!(damage.corrupt_bytes, rec as u64);
            assert_eq!(damage.torn_tail_bytes, 0);
        }
        // A length that points past the end, garbage between records, a good CRC over a non-row.
        let mut bad = j[..rec].to_vec();
        bad.extend_from_slice(&MAGIC);
        bad.extend_from_slice(&(u32::MAX).to_le_bytes());
        bad.extend_from_slice(b"garbage \xF5S no record");
        let payload = b"[1,2,3]";
        let mut digest = CRC.digest();
        digest.update(&(payload.len() as u32).to_le_bytes());
        digest.update(payload);
        bad.extend_from_slice(&MAGIC);
        bad.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        bad.extend_from_slice(&digest.finalize().to_le_bytes());
        bad.extend_from_slice(payload);
        bad.extend_from_slice(&j[rec..]);
        let (seqs, damage) = read(&bad, 3);
        assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
        assert_eq!(damage.corrupt_spans, 1);
        assert_eq!(damage.corrupt_bytes as usize, bad.len() - j.len());
    }

    #[test]
    fn an_empty_or_garbage_journal_has_no_rows() {
        assert_eq!(read(&[], 10), (vec![], Damage::default()));
        let noise: Vec<u8> =
            (0..10_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        let (seqs, damage) = read(&noise, 333);
        assert!(seqs.is_empty());
        assert_eq!(damage.torn_tail_bytes, noise.len() as u64);
    }
}
