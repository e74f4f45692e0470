//! `FrameStore`: the one 256-bit register behind both RAW and STATUS frames.
//!
//! The framer reads a payload over thousands of clocks straight from its source's bus, so each
//! source must hold its payload steady. A RAW block needs 256 bits and a STATUS snapshot 232 (bytes
//! 1..=29 of the payload; the rest are generation-time constants). The framer sends one frame at a
//! time, and raw collection may leave gaps between frames, so one register serves both: on an iCE40
//! UP5K that saves ~230 logic cells, about 4 % of the device.

use rust_hdl::prelude::*;
use speckle_model::params::CoreParams;

/// Byte layout of the constant fields (everything from offset 30, plus version and the VN and DDR
/// bits of `state`).
fn constant_bytes(p: &CoreParams) -> [u8; 48] {
    let c = p.cutoffs();
    let mut b = [0u8; 48];
    b[0] = 1;
    b[2] = (p.vn_enable as u8) << 2 | (p.ddr as u8) << 4;
    let u16s = [
        (30, c.rct),
        (32, c.apt),
        (34, c.markov_lo),
        (36, c.markov_hi),
        (38, p.window),
        (40, p.n_in),
    ];
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

/// Constant part of the STATUS payload as a 384-bit value (byte i at [8i+7:8i]).
fn constant_payload(p: &CoreParams) -> Bits<384> {
    let mut out = Bits::<384>::default();
    for (i, byte) in constant_bytes(p).iter().enumerate() {
        for bit in 0..8 {
            out = out.replace_bit(8 * i + bit, byte >> bit & 1 == 1);
        }
    }
    out
}

/// Semantics, per clock:
/// - `load` (output strobe) = `status_request && !raw_valid && !status_valid`: the variable STATUS
///   fields are latched and `status_valid` rises; a partly collected raw block is discarded.
/// - otherwise, in raw mode (`raw_enable`) with nothing waiting, each sample is shifted in at the top
///   (after 256 of them sample i is at bit i, LSB-first as docs/protocol.md wants) and the 256th
///   raises `raw_valid`. Samples arriving while a frame waits are skipped.
/// - a payload is released by the framer's `*_ready` strobe; leaving raw mode discards a partial
///   block but not one already offered.
#[derive(LogicBlock)]
pub struct FrameStore {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub raw_enable: Signal<In, Bit>,
    pub sample: Signal<In, Bit>,
    pub sample_valid: Signal<In, Bit>,
    pub raw_block: Signal<Out, Bits<256>>,
    pub raw_valid: Signal<Out, Bit>,
    pub raw_ready: Signal<In, Bit>,
    pub status_request: Signal<In, Bit>,
    pub load: Signal<Out, Bit>,
    pub status_payload: Signal<Out, Bits<384>>,
    pub status_valid: Signal<Out, Bit>,
    pub status_ready: Signal<In, Bit>,
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
    store: DFF<Bits<256>>,
    n: DFF<Bits<9>>,
    raw_full: DFF<Bit>,
    status_full: DFF<Bit>,
    load_now: Signal<Local, Bit>,
    fields: Signal<Local, Bits<256>>,
    constants: Constant<Bits<384>>,
}

impl FrameStore {
    pub fn new(p: &CoreParams) -> Self {
        FrameStore {
            clock: Default::default(),
            reset: Default::default(),
            raw_enable: Default::default(),
            sample: Default::default(),
            sample_valid: Default::default(),
            raw_block: Default::default(),
            raw_valid: Default::default(),
            raw_ready: Default::default(),
            status_request: Default::default(),
            load: Default::default(),
            status_payload: Default::default(),
            status_valid: Default::default(),
            status_ready: Default::default(),
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
            store: Default::default(),
            n: Default::default(),
            raw_full: Default::default(),
            status_full: Default::default(),
            load_now: Default::default(),
            fields: Default::default(),
            constants: Constant::new(constant_payload(p)),
        }
    }
}

impl Logic for FrameStore {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, store, n, raw_full, status_full);
        // STATUS bytes 1..=29, byte 1 at bits [7:0].
        self.fields.next = bit_cast::<256, 1>(self.mode.val().into())
            | (bit_cast::<256, 4>(self.state.val()) << 8)
            | (bit_cast::<256, 5>(self.alarms.val()) << 16)
            | (bit_cast::<256, 32>(self.samples.val()) << 24)
            | (bit_cast::<256, 32>(self.blocks.val()) << 56)
            | (bit_cast::<256, 32>(self.dropped.val()) << 88)
            | (bit_cast::<256, 16>(self.rct_failures.val()) << 120)
            | (bit_cast::<256, 16>(self.apt_failures.val()) << 136)
            | (bit_cast::<256, 16>(self.markov_failures.val()) << 152)
            | (bit_cast::<256, 16>(self.rct_max_run.val()) << 168)
            | (bit_cast::<256, 16>(self.apt_max_count.val()) << 184)
            | (bit_cast::<256, 16>(self.markov_min.val()) << 200)
            | (bit_cast::<256, 16>(self.markov_max.val()) << 216);
        if self.raw_full.q.val() & self.raw_ready.val() {
            self.raw_full.d.next = false;
            self.n.d.next = 0.into();
        }
        if self.status_full.q.val() & self.status_ready.val() {
            self.status_full.d.next = false;
            self.n.d.next = 0.into();
        }
        self.load_now.next =
            self.status_request.val() & !self.raw_full.q.val() & !self.status_full.q.val();
        if self.load_now.val() {
            self.store.d.next = self.fields.val();
            self.status_full.d.next = true;
            self.n.d.next = 0.into();
        } else if self.raw_enable.val()
            & self.sample_valid.val()
            & !self.raw_full.q.val()
            & !self.status_full.q.val()
        {
            self.store.d.next = (self.store.q.val() >> 1).replace_bit(255, self.sample.val());
            self.n.d.next = self.n.q.val() + 1;
            if self.n.q.val() == 255 {
                self.raw_full.d.next = true;
            }
        }
        if !self.raw_enable.val() & !self.raw_full.q.val() & !self.load_now.val() {
            self.n.d.next = 0.into();
        }
        if self.reset.val() {
            self.n.d.next = 0.into();
            self.raw_full.d.next = false;
            self.status_full.d.next = false;
        }
        self.load.next = self.load_now.val();
        self.raw_block.next = self.store.q.val();
        self.raw_valid.next = self.raw_full.q.val();
        self.status_valid.next = self.status_full.q.val();
        // While a STATUS waits, bits 232.. of the store are zero (`fields` leaves them clear).
        self.status_payload.next =
            self.constants.val() | (bit_cast::<384, 256>(self.store.q.val()) << 8);
    }
}

/// [`FrameStore`] for the pair form (`ddr`): a raw block takes 128 pairs, bit 0 of each first, so
/// its layout is the same 256 consecutive samples LSB-first.
#[derive(LogicBlock)]
pub struct FrameStorePair {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub raw_enable: Signal<In, Bit>,
    pub sample: Signal<In, Bits<2>>,
    pub sample_valid: Signal<In, Bit>,
    pub raw_block: Signal<Out, Bits<256>>,
    pub raw_valid: Signal<Out, Bit>,
    pub raw_ready: Signal<In, Bit>,
    pub status_request: Signal<In, Bit>,
    pub load: Signal<Out, Bit>,
    pub status_payload: Signal<Out, Bits<384>>,
    pub status_valid: Signal<Out, Bit>,
    pub status_ready: Signal<In, Bit>,
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
    store: DFF<Bits<256>>,
    n: DFF<Bits<9>>,
    raw_full: DFF<Bit>,
    status_full: DFF<Bit>,
    load_now: Signal<Local, Bit>,
    fields: Signal<Local, Bits<256>>,
    constants: Constant<Bits<384>>,
}

impl FrameStorePair {
    pub fn new(p: &CoreParams) -> Self {
        FrameStorePair {
            clock: Default::default(),
            reset: Default::default(),
            raw_enable: Default::default(),
            sample: Default::default(),
            sample_valid: Default::default(),
            raw_block: Default::default(),
            raw_valid: Default::default(),
            raw_ready: Default::default(),
            status_request: Default::default(),
            load: Default::default(),
            status_payload: Default::default(),
            status_valid: Default::default(),
            status_ready: Default::default(),
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
            store: Default::default(),
            n: Default::default(),
            raw_full: Default::default(),
            status_full: Default::default(),
            load_now: Default::default(),
            fields: Default::default(),
            constants: Constant::new(constant_payload(p)),
        }
    }
}

impl Logic for FrameStorePair {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, store, n, raw_full, status_full);
        // STATUS bytes 1..=29, byte 1 at bits [7:0].
        self.fields.next = bit_cast::<256, 1>(self.mode.val().into())
            | (bit_cast::<256, 4>(self.state.val()) << 8)
            | (bit_cast::<256, 5>(self.alarms.val()) << 16)
            | (bit_cast::<256, 32>(self.samples.val()) << 24)
            | (bit_cast::<256, 32>(self.blocks.val()) << 56)
            | (bit_cast::<256, 32>(self.dropped.val()) << 88)
            | (bit_cast::<256, 16>(self.rct_failures.val()) << 120)
            | (bit_cast::<256, 16>(self.apt_failures.val()) << 136)
            | (bit_cast::<256, 16>(self.markov_failures.val()) << 152)
            | (bit_cast::<256, 16>(self.rct_max_run.val()) << 168)
            | (bit_cast::<256, 16>(self.apt_max_count.val()) << 184)
            | (bit_cast::<256, 16>(self.markov_min.val()) << 200)
            | (bit_cast::<256, 16>(self.markov_max.val()) << 216);
        if self.raw_full.q.val() & self.raw_ready.val() {
            self.raw_full.d.next = false;
            self.n.d.next = 0.into();
        }
        if self.status_full.q.val() & self.status_ready.val() {
            self.status_full.d.next = false;
            self.n.d.next = 0.into();
        }
        self.load_now.next =
            self.status_request.val() & !self.raw_full.q.val() & !self.status_full.q.val();
        if self.load_now.val() {
            self.store.d.next = self.fields.val();
            self.status_full.d.next = true;
            self.n.d.next = 0.into();
        } else if self.raw_enable.val()
            & self.sample_valid.val()
            & !self.raw_full.q.val()
            & !self.status_full.q.val()
        {
            self.store.d.next =
                (self.store.q.val() >> 2) | (bit_cast::<256, 2>(self.sample.val()) << 254);
            self.n.d.next = self.n.q.val() + 2;
            if self.n.q.val() == 254 {
                self.raw_full.d.next = true;
            }
        }
        if !self.raw_enable.val() & !self.raw_full.q.val() & !self.load_now.val() {
            self.n.d.next = 0.into();
        }
        if self.reset.val() {
            self.n.d.next = 0.into();
            self.raw_full.d.next = false;
            self.status_full.d.next = false;
        }
        self.load.next = self.load_now.val();
        self.raw_block.next = self.store.q.val();
        self.raw_valid.next = self.raw_full.q.val();
        self.status_valid.next = self.status_full.q.val();
        // While a STATUS waits, bits 232.. of the store are zero (`fields` leaves them clear).
        self.status_payload.next =
            self.constants.val() | (bit_cast::<384, 256>(self.store.q.val()) << 8);
    }
}
