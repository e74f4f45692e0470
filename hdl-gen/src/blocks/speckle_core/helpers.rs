//! Two pieces of `speckle_core` glue that are plain wiring of wide buses, written as Verilog
//! wrappers because rust-hdl 0.46 has no concatenation operator for building a 384-bit payload out
//! of fields. Each also has a Rust `update`, so the rust-hdl simulator runs them too.

use rust_hdl::prelude::*;
use speckle_model::params::CoreParams;

/// Latches the STATUS frame's variable fields when `load` strobes and presents the whole 48-byte
/// payload (docs/protocol.md; byte i at [8i+7:8i]) with the generation-time constants. The framer
/// reads the payload one byte at a time over ~14k clocks, so a live view would tear multi-byte
/// counters (0x00FF -> 0x0100 read as 0x01FF); the snapshot makes every frame one instant.
#[derive(LogicBlock)]
pub struct StatusSnapshot {
    pub clock: Signal<In, Clock>,
    pub load: Signal<In, Bit>,
    pub mode: Signal<In, Bit>,
    /// bit0 startup passed, bit1 gate open, bit3 LOS level (bit2, VN enabled, is a constant).
    pub state: Signal<In, Bits<4>>,
    pub alarms: Signal<In, Bits<5>>,
    pub samples: Signal<In, Bits<32>>,
    pub blocks: Signal<In, Bits<32>>,
    pub dropped: Signal<In, Bits<32>>,
    pub rct_failures: Signal<In, Bits<16>>,
    pub apt_failures: Signal<In, Bits<16>>,
    pub markov_failures: Signal<In, Bits<16>>,
    pub rct_max_run: Signal<In, Bits<16>>,
    pub apt_max_count: Signal<In, Bits<16>>,
    pub markov_min: Signal<In, Bits<16>>,
    pub markov_max: Signal<In, Bits<16>>,
    pub payload: Signal<Out, Bits<384>>,
    _constants: [u8; 48],
    _snap: [u64; 13],
}

/// Byte layout of the constant fields (everything from offset 30, plus version and the VN bit).
fn constant_bytes(p: &CoreParams) -> [u8; 48] {
    let c = p.cutoffs();
    let mut b = [0u8; 48];
    b[0] = 1;
    b[2] = (p.vn_enable as u8) << 2;
    let u16s = [(30, c.rct), (32, c.apt), (34, c.markov_lo), (36, c.markov_hi), (38, p.window), (40, p.n_in)];
    for (off, v) in u16s {
        assert!(v <= 0xFFFF, "STATUS field at offset {off} = {v} does not fit 16 bits");
        b[off..off + 2].copy_from_slice(&(v as u16).to_le_bytes());
    }
    b[42] = p.fold_k as u8;
    // oversample 256 reads as 0 (the field is one byte).
    b[43] = p.oversample as u8;
    b[44..46].copy_from_slice(&p.h_milli().to_le_bytes());
    b[46] = p.alpha_log2 as u8;
    b
}

impl StatusSnapshot {
    pub fn new(p: &CoreParams) -> Self {
        StatusSnapshot {
            clock: Default::default(),
            load: Default::default(),
            mode: Default::default(),
            state: Default::default(),
            alarms: Default::default(),
            samples: Default::default(),
            blocks: Default::default(),
            dropped: Default::default(),
            rct_failures: Default::default(),
            apt_failures: Default::default(),
            markov_failures: Default::default(),
            rct_max_run: Default::default(),
            apt_max_count: Default::default(),
            markov_min: Default::default(),
            markov_max: Default::default(),
            payload: Default::default(),
            _constants: constant_bytes(p),
            _snap: [0; 13],
        }
    }

    fn fields(&self) -> [u64; 13] {
        [
            self.mode.val() as u64,
            self.state.val().to_u64(),
            self.alarms.val().to_u64(),
            self.samples.val().to_u64(),
            self.blocks.val().to_u64(),
            self.dropped.val().to_u64(),
            self.rct_failures.val().to_u64(),
            self.apt_failures.val().to_u64(),
            self.markov_failures.val().to_u64(),
            self.rct_max_run.val().to_u64(),
            self.apt_max_count.val().to_u64(),
            self.markov_min.val().to_u64(),
            self.markov_max.val().to_u64(),
        ]
    }
}

/// (byte offset, width in bytes) of each latched field, in `fields()` order.
const LAYOUT: [(usize, usize); 13] =
    [(1, 1), (2, 1), (3, 1), (4, 4), (8, 4), (12, 4), (16, 2), (18, 2), (20, 2), (22, 2), (24, 2), (26, 2), (28, 2)];

impl Logic for StatusSnapshot {
    fn update(&mut self) {
        if self.clock.pos_edge() && self.load.val() {
            self._snap = self.fields();
        }
        let mut bytes = self._constants;
        for ((off, n), v) in LAYOUT.iter().zip(self._snap) {
            for i in 0..*n {
                bytes[off + i] |= (v >> (8 * i)) as u8;
            }
        }
        let mut out = Bits::<384>::default();
        for (i, byte) in bytes.iter().enumerate() {
            for bit in 0..8 {
                out = out.replace_bit(8 * i + bit, byte >> bit & 1 == 1);
            }
        }
        self.payload.next = out;
    }

    fn connect(&mut self) {
        self.payload.connect();
    }

    fn hdl(&self) -> Verilog {
        let c = &self._constants;
        let k = |i: usize| format!("8'h{:02x}", c[i]);
        let k16 = |i: usize| format!("{}, {}", k(i + 1), k(i));
        // Most significant byte first in a Verilog concatenation.
        let code = format!(
            "reg mode_q;\nreg [3:0] state_q;\nreg [4:0] alarms_q;\nreg [31:0] samples_q, blocks_q, dropped_q;\n\
reg [15:0] rct_f_q, apt_f_q, markov_f_q, rct_max_q, apt_max_q, markov_min_q, markov_max_q;\n\
always @(posedge clock) if (load) begin\n  mode_q <= mode; state_q <= state; alarms_q <= alarms;\n\
  samples_q <= samples; blocks_q <= blocks; dropped_q <= dropped;\n\
  rct_f_q <= rct_failures; apt_f_q <= apt_failures; markov_f_q <= markov_failures;\n\
  rct_max_q <= rct_max_run; apt_max_q <= apt_max_count; markov_min_q <= markov_min; markov_max_q <= markov_max;\nend\n\
assign payload = {{{b47}, {b46}, {h44}, {b43}, {b42}, {n40}, {w38}, {mh36}, {ml34}, {apt32}, {rct30},\n\
  markov_max_q, markov_min_q, apt_max_q, rct_max_q, markov_f_q, apt_f_q, rct_f_q,\n\
  dropped_q, blocks_q, samples_q, 3'b000, alarms_q, 4'b0000, state_q | 4'h{vn:x}, 7'b0000000, mode_q, {b0}}};\n",
            b47 = k(47),
            b46 = k(46),
            h44 = k16(44),
            b43 = k(43),
            b42 = k(42),
            n40 = k16(40),
            w38 = k16(38),
            mh36 = k16(36),
            ml34 = k16(34),
            apt32 = k16(32),
            rct30 = k16(30),
            vn = c[2] & 0xF,
            b0 = k(0),
        );
        Verilog::Wrapper(Wrapper { code, cores: String::new() })
    }
}

/// Collects 256 consecutive raw samples for a RAW frame while `enable` is high: samples are
/// shifted in at the top, so after 256 of them sample i sits at bit i (LSB-first, docs/protocol.md).
/// While a full block waits for `ready` new samples are skipped (frames may have gaps, never holes).
#[derive(LogicBlock, Default)]
pub struct RawCollector {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub enable: Signal<In, Bit>,
    pub sample: Signal<In, Bit>,
    pub sample_valid: Signal<In, Bit>,
    pub block: Signal<Out, Bits<256>>,
    pub valid: Signal<Out, Bit>,
    pub ready: Signal<In, Bit>,
    shift: DFF<Bits<256>>,
    n: DFF<Bits<9>>,
    full: DFF<Bit>,
}

impl Logic for RawCollector {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, shift, n, full);
        if self.full.q.val() & self.ready.val() {
            self.full.d.next = false;
            self.n.d.next = 0.into();
        }
        if self.enable.val() & self.sample_valid.val() & !self.full.q.val() {
            self.shift.d.next = (self.shift.q.val() >> 1).replace_bit(255, self.sample.val());
            self.n.d.next = self.n.q.val() + 1;
            if self.n.q.val() == 255 {
                self.full.d.next = true;
            }
        }
        if self.reset.val() | (!self.enable.val() & !self.full.q.val()) {
            self.n.d.next = 0.into();
        }
        if self.reset.val() {
            self.full.d.next = false;
        }
        self.block.next = self.shift.q.val();
        self.valid.next = self.full.q.val();
    }
}
