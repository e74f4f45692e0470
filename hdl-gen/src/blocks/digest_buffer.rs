//! `digest_buffer`: the byte FIFO in block RAM between the conditioner and the framer that lets one
//! CONDITIONED frame carry `blocks_per_frame` digests.
//!
//! A frame's header states its length before the first payload byte goes out, so the framer may
//! start a CONDITIONED frame only when every digest it will carry already exists: an alarm in the
//! middle of a frame stops the conditioner, and a frame waiting for its next digest would then never
//! end. Holding K digests in flip-flops would cost 256·K cells (the UP5K has ~800 to spare); 512
//! bytes of block RAM hold two frames' worth for K ≤ 7, so the conditioner fills the next frame
//! while the framer sends this one. The read address is forwarded (next read pointer), as in
//! `holdback`, so `out_byte` shows the head in the clock after a pop.
//!
//! A digest enters byte by byte (byte i of the digest bus in clock i of its write, 32 clocks) once
//! at least 32 bytes are free; `digest_ready` strobes with the last byte. Completed digests are
//! never flushed (an alarm does not touch them: their samples left the holdback long before the
//! fault, docs/theory.md); only `reset` empties the buffer. Semantics: model/src/digest_buffer.rs.

use rust_hdl::prelude::*;
use speckle_model::digest_buffer::CAPACITY_BYTES;
use speckle_model::params::CoreParams;
use speckle_model::protocol::DIGEST_LEN;

/// Address bits of the RAM: [`CAPACITY_BYTES`] = 2^9.
const A: usize = 9;

#[derive(LogicBlock)]
pub struct DigestBuffer {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub digest: Signal<In, Bits<256>>,
    pub digest_valid: Signal<In, Bit>,
    pub digest_ready: Signal<Out, Bit>,
    /// The oldest byte not yet popped.
    pub out_byte: Signal<Out, Bits<8>>,
    /// At least one frame's worth (32 · blocks_per_frame bytes) is buffered.
    pub frame_valid: Signal<Out, Bit>,
    pub pop: Signal<In, Bit>,
    ram: RAM<Bits<8>, A>,
    wr: DFF<Bits<A>>,
    rd: DFF<Bits<A>>,
    count: DFF<Bits<10>>,
    writing: DFF<Bit>,
    widx: DFF<Bits<5>>,
    rd_next: Signal<Local, Bits<A>>,
    last_write: Signal<Local, Bit>,
    room_limit: Constant<Bits<10>>,
    frame_bytes: Constant<Bits<10>>,
}

impl DigestBuffer {
    pub fn new(p: &CoreParams) -> Self {
        let frame = p.conditioned_payload_len();
        assert_eq!(CAPACITY_BYTES, 1 << A);
        assert!(2 * frame <= CAPACITY_BYTES, "blocks_per_frame {} needs a larger buffer", frame);
        DigestBuffer {
            clock: Default::default(),
            reset: Default::default(),
            digest: Default::default(),
            digest_valid: Default::default(),
            digest_ready: Default::default(),
            out_byte: Default::default(),
            frame_valid: Default::default(),
            pop: Default::default(),
            ram: Default::default(),
            wr: Default::default(),
            rd: Default::default(),
            count: Default::default(),
            writing: Default::default(),
            widx: Default::default(),
            rd_next: Default::default(),
            last_write: Default::default(),
            room_limit: Constant::new(((CAPACITY_BYTES - DIGEST_LEN) as u64).to_bits()),
            frame_bytes: Constant::new((frame as u64).to_bits()),
        }
    }
}

impl Logic for DigestBuffer {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, wr, rd, count, writing, widx);
        self.ram.read_clock.next = self.clock.val();
        self.ram.write_clock.next = self.clock.val();
        self.last_write.next = self.writing.q.val() & (self.widx.q.val() == 31);
        // A digest starts only with 32 bytes free; pops during its write only add room.
        if self.digest_valid.val()
            & !self.writing.q.val()
            & (self.count.q.val() <= self.room_limit.val())
        {
            self.writing.d.next = true;
            self.widx.d.next = 0.into();
        }
        if self.writing.q.val() {
            self.wr.d.next = self.wr.q.val() + 1;
            self.widx.d.next = self.widx.q.val() + 1;
        }
        if self.last_write.val() {
            self.writing.d.next = false;
        }
        self.rd_next.next = self.rd.q.val();
        if self.pop.val() {
            self.rd_next.next = self.rd.q.val() + 1;
        }
        if self.writing.q.val() & !self.pop.val() {
            self.count.d.next = self.count.q.val() + 1;
        } else if !self.writing.q.val() & self.pop.val() {
            self.count.d.next = self.count.q.val() - 1;
        }
        if self.reset.val() {
            self.count.d.next = 0.into();
            self.wr.d.next = 0.into();
            self.rd_next.next = 0.into();
            self.writing.d.next = false;
            self.widx.d.next = 0.into();
        }
        self.rd.d.next = self.rd_next.val();
        self.ram.read_address.next = self.rd_next.val();
        self.ram.write_address.next = self.wr.q.val();
        self.ram.write_data.next = self.digest.val().get_bits::<8>(self.widx.q.val().index() * 8);
        self.ram.write_enable.next = self.writing.q.val();
        self.out_byte.next = self.ram.read_data.val();
        self.frame_valid.next = self.count.q.val() >= self.frame_bytes.val();
        self.digest_ready.next = self.last_write.val();
    }
}

pub fn generate(p: &CoreParams, profile: &str) -> String {
    crate::emit::emit("speckle_digest_buffer", profile, DigestBuffer::new(p))
}
