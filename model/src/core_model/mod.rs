//! Transaction-level model of the whole `speckle_core` (docs/core.md): raw samples, LOS and
//! external-alarm levels and host command bytes in, the UART byte stream out.
//!
//! It composes the block models (health tests, output gate, holdback, von Neumann, fold, SHA3
//! conditioner) and adds what is only wiring in the RTL: the framer's priorities, the sequence
//! counter, the STATUS period and UART pacing. It is the stand-in for the Verilated core when
//! Verilator is missing, and the host's reference for what the raw tap's health should be.
//!
//! Timing is transaction-level, not clock-exact: time advances by `oversample` clocks per
//! [`CoreModel::push_sample`]; a UART byte takes `10 × clock_hz / baud` clocks, frames go out back to
//! back, and a host command takes effect once its last byte has had time to arrive. Where the RTL
//! is free to choose (what raw mode does to the conditioned path), the choices are documented on the
//! items below and in docs/simulation.md.

use crate::adaptp_ht::AdaptProp;
use crate::cmd_parser::CmdParser;
use crate::digest_buffer::DigestBuffer;
use crate::holdback::{Holdback, HoldbackOf};
use crate::markov_ht::Markov;
use crate::output_gate::{GateIn, GateOut, OutputGate};
use crate::params::CoreParams;
use crate::protocol::{
    encode, Ack, AckResult, Alarms, Command, Frame, FrameType, Mode, StateBits, Status,
    SFP_DIAG_LEN, STATUS_VERSION,
};
use crate::repcnt_ht::RepCount;
use crate::sha3_conditioner::Sha3Conditioner;
use crate::vn_debias::VnDebias;
use crate::xor_fold::XorFold;
use std::collections::VecDeque;

/// Samples in one RAW frame.
pub const RAW_FRAME_SAMPLES: usize = 256;

/// Holdback FIFO size: the next power of two above the required depth, so a stalled consumer has
/// room for about another depth's worth of samples before any is dropped.
pub fn holdback_capacity(p: &CoreParams) -> usize {
    (p.holdback() as usize + 1).next_power_of_two()
}

/// The pair form's holdback: [`CoreParams::holdback_entries`] pairs deep, capacity as
/// [`holdback_capacity`].
fn pair_holdback(p: &CoreParams) -> HoldbackOf<[bool; 2]> {
    let depth = p.holdback_entries() as usize;
    HoldbackOf::new(depth, (depth + 1).next_power_of_two())
}

#[derive(Clone, Debug)]
pub struct CoreModel {
    p: CoreParams,
    clk: u64,
    // Health tests and gate, on every raw sample.
    rct: RepCount,
    apt: AdaptProp,
    markov: Markov,
    gate: OutputGate,
    gate_out: GateOut,
    clear_pending: bool,
    los: bool,
    ext_alarm: bool,
    // Conditioned path.
    holdback: Holdback,
    /// The pair form's holdback (`ddr`), in pairs; `holdback` then stays empty.
    holdback_pairs: HoldbackOf<[bool; 2]>,
    vn: VnDebias,
    fold: XorFold,
    cond: Sha3Conditioner,
    /// A finished digest waiting for room in `digests` (the conditioner holds it until then).
    digest_slot: Option<[u8; 32]>,
    digests: DigestBuffer,
    // Raw tap.
    mode: Mode,
    raw_buf: Vec<bool>,
    raw_slot: Option<[u8; 32]>,
    // Counters reported in STATUS.
    samples: u32,
    blocks: u32,
    dropped: u32,
    // Framer and UART.
    seq: u16,
    /// One ACK waits at a time (cmd_parser drops a command completing while one is pending).
    ack: Option<Ack>,
    status_pending: Option<Status>,
    diag_pending: bool,
    sfp_diag: Option<[u8; SFP_DIAG_LEN]>,
    tx_frame: VecDeque<u8>,
    tx_free_at: u64,
    tx_out: Vec<u8>,
    frames_sent: u64,
    // Command input.
    rx_queue: VecDeque<u8>,
    rx_next_at: u64,
    cmd: CmdParser,
}

impl CoreModel {
    /// # Panics
    /// On parameters that [`CoreParams::validate`] refuses: a model of an impossible core would
    /// answer questions about hardware that cannot be built.
    pub fn new(p: &CoreParams) -> Self {
        if let Err(e) = p.validate() {
            panic!("CoreModel::new: {e}");
        }
        let c = p.cutoffs();
        let depth = p.holdback() as usize;
        let mut m = CoreModel {
            p: p.clone(),
            clk: 0,
            rct: RepCount::new(c.rct),
            apt: AdaptProp::new(p.window, c.apt),
            markov: Markov::new(p.window, c.markov_lo, c.markov_hi),
            gate: OutputGate::new(),
            gate_out: GateOut::default(),
            clear_pending: false,
            los: false,
            ext_alarm: false,
            holdback: Holdback::new(depth, holdback_capacity(p)),
            holdback_pairs: pair_holdback(p),
            vn: VnDebias::new(!p.vn_enable),
            fold: XorFold::new(p.fold_k),
            cond: Sha3Conditioner::new(p.n_in),
            digest_slot: None,
            digests: DigestBuffer::new(p.blocks_per_frame),
            mode: Mode::Conditioned,
            raw_buf: Vec::with_capacity(RAW_FRAME_SAMPLES),
            raw_slot: None,
            samples: 0,
            blocks: 0,
            dropped: 0,
            seq: 0,
            ack: None,
            status_pending: None,
            diag_pending: false,
            sfp_diag: None,
            tx_frame: VecDeque::new(),
            tx_free_at: 0,
            tx_out: Vec::new(),
            frames_sent: 0,
            rx_queue: VecDeque::new(),
            rx_next_at: 0,
            cmd: CmdParser::new(),
        };
        m.gate_out = m.gate.clock(GateIn { reset: true, ..GateIn::default() });
        m
    }

    pub fn params(&self) -> &CoreParams {
        &self.p
    }
    /// Core clocks elapsed.
    pub fn clocks(&self) -> u64 {
        self.clk
    }
    pub fn alarms(&self) -> Alarms {
        Alarms(self.gate_out.alarms)
    }
    pub fn gate_open(&self) -> bool {
        self.gate_out.gate_open
    }
    pub fn startup_done(&self) -> bool {
        self.gate_out.startup_done
    }
    pub fn mode(&self) -> Mode {
        self.mode
    }
    pub fn frames_sent(&self) -> u64 {
        self.frames_sent
    }

    /// SFP loss-of-signal level (latches the LOS alarm while high).
    pub fn set_los(&mut self, level: bool) {
        self.los = level;
    }
    /// External alarm level (the SFP laser interlock).
    pub fn set_ext_alarm(&mut self, level: bool) {
        self.ext_alarm = level;
    }
    /// The front end's latest SFP_DIAG payload; `Some` also means `sfp_diag_en`: an SFP_DIAG frame
    /// then follows every STATUS frame.
    pub fn set_sfp_diag(&mut self, diag: Option<[u8; SFP_DIAG_LEN]>) {
        self.sfp_diag = diag;
    }

    /// Bytes from the host, arriving on `uart_rx` from now on at the baud rate.
    pub fn push_host_bytes(&mut self, bytes: &[u8]) {
        if self.rx_queue.is_empty() {
            self.rx_next_at = self.clk + self.byte_clocks();
        }
        self.rx_queue.extend(bytes);
    }

    /// Bytes that have finished leaving `uart_tx` since the previous call.
    pub fn take_tx(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.tx_out)
    }

    /// The STATUS payload the core would send now (without resetting the per-period extremes).
    pub fn status(&self) -> Status {
        let c = self.p.cutoffs();
        let g = self.gate_out;
        let state = u8::from(g.startup_done)
            | u8::from(g.gate_open) << 1
            | u8::from(self.p.vn_enable) << 2
            | u8::from(g.los_level) << 3
            | u8::from(self.p.ddr) << 4;
        Status {
            version: STATUS_VERSION,
            mode: self.mode.to_u8(),
            state: StateBits(state),
            alarms: Alarms(g.alarms),
            samples: self.samples,
            blocks: self.blocks,
            dropped: self.dropped,
            rct_failures: g.rct_failures,
            apt_failures: g.apt_failures,
            markov_failures: g.markov_failures,
            rct_max_run: self.rct.max_run(),
            apt_max_count: self.apt.max_count(),
            markov_min: self.markov.min(),
            markov_max: self.markov.max(),
            rct_cutoff: c.rct as u16,
            apt_cutoff: c.apt as u16,
            markov_lo: c.markov_lo as u16,
            markov_hi: c.markov_hi as u16,
            window: self.p.window.min(0xFFFF) as u16,
            n_in: self.p.n_in as u16,
            fold_k: self.p.fold_k as u8,
            oversample: self.p.oversample as u8,
            h_milli: self.p.h_milli(),
            alpha_log2: self.p.alpha_log2 as u8,
            reserved: 0,
        }
    }

    /// One raw sample from the sampler; advances time by `oversample` clocks.
    pub fn push_sample(&mut self, bit: bool) {
        self.strobe(&[bit]);
    }

    /// One pair from the DDR sampler (`ddr`), `a` the earlier sample; advances time by one clock.
    /// The health tests take `a` then `b`, the gate and the fold see one clock: the gate's
    /// startup count and failure counters count pairs, as in the RTL.
    ///
    /// # Panics
    /// On a single-lane core (use [`CoreModel::push_sample`]).
    pub fn push_pair(&mut self, a: bool, b: bool) {
        self.strobe(&[a, b]);
    }

    /// One `sample_valid` of the sampler: its samples (one, or a DDR pair), `oversample` clocks.
    fn strobe(&mut self, samples: &[bool]) {
        let want = self.p.samples_per_strobe() as usize;
        assert_eq!(
            samples.len(),
            want,
            "this core takes {want} sample(s) per strobe: push_sample or, with ddr, push_pair"
        );
        let before = self.clk;
        self.clk += self.p.oversample as u64;
        self.samples = self.samples.wrapping_add(samples.len() as u32);
        self.receive_commands();

        let clear = std::mem::take(&mut self.clear_pending);
        if clear {
            self.rct.clear();
            self.apt.clear();
            self.markov.clear();
        }
        let (mut rct_fail, mut apt_fail, mut markov_fail) = (false, false, false);
        for &bit in samples {
            rct_fail |= self.rct.sample(bit).fail;
            apt_fail |= self.apt.sample(bit).fail;
            markov_fail |= self.markov.sample(bit).fail;
        }
        // The RTL folds a window into min/max one clock later, before the next strobe.
        self.markov.settle();
        self.gate_out = self.gate.clock(GateIn {
            rct_fail,
            apt_fail,
            markov_fail,
            los: self.los,
            ext_alarm: self.ext_alarm,
            clear_alarms: clear,
            sample_valid: true,
            reset: false,
        });
        match (self.mode, samples) {
            (Mode::Conditioned, &[bit]) => self.conditioned_path(bit),
            (Mode::Conditioned, &[a, b]) => self.conditioned_pair(a, b),
            (Mode::Raw, _) => self.raw_tap(samples),
            _ => unreachable!("checked above"),
        }
        let period = self.p.status_period_log2;
        if before >> period != self.clk >> period {
            self.queue_status();
        }
        self.run_uart();
    }

    /// The pair form of [`CoreModel::conditioned_path`]: one clock, a pair into the holdback and at
    /// most one pair out, folded sample by sample (fold_k is even, so a pair never splits a group).
    fn conditioned_pair(&mut self, a: bool, b: bool) {
        let g = self.gate_out;
        let hold = g.flush || !g.gate_open;
        if hold {
            self.fold.reset();
            self.cond.abort();
        }
        if let Some(d) = self.digest_slot {
            if self.digests.push(&d) {
                self.digest_slot = None;
            }
        }
        let ready = g.gate_open && self.digest_slot.is_none();
        let step = self.holdback_pairs.clock(Some([a, b]), ready, hold);
        if step.dropped {
            self.dropped = self.dropped.wrapping_add(1);
        }
        let Some(pair) = step.out else { return };
        if hold {
            return;
        }
        for bit in pair {
            if let Some(d) = self.fold.push(bit).and_then(|f| self.cond.push(f)) {
                self.digest_slot = Some(d);
            }
        }
    }

    /// Holdback → von Neumann → fold → SHA3. As in the RTL, the path is held empty while the gate
    /// is closed (startup or alarm): an alarm flushes everything not yet hashed and nothing enters
    /// the holdback until the gate reopens, so no sample from a faulty stretch can reach a digest,
    /// and the first digest after startup starts with the first sample after the gate opened.
    fn conditioned_path(&mut self, bit: bool) {
        let g = self.gate_out;
        let hold = g.flush || !g.gate_open;
        if hold {
            self.vn.reset();
            self.fold.reset();
            self.cond.abort();
        }
        // The downstream chain takes one bit per clock, so up to `oversample` bits per sample.
        let mut input = Some(bit);
        for _ in 0..self.p.oversample {
            if let Some(d) = self.digest_slot {
                if self.digests.push(&d) {
                    self.digest_slot = None;
                }
            }
            let ready = g.gate_open && self.digest_slot.is_none();
            let step = self.holdback.clock(input.take(), ready, hold);
            if step.dropped {
                self.dropped = self.dropped.wrapping_add(1);
            }
            let Some(b) = step.out else { continue };
            if hold {
                continue;
            }
            if let Some(d) =
                self.vn.push(b).and_then(|v| self.fold.push(v)).and_then(|f| self.cond.push(f))
            {
                self.digest_slot = Some(d);
            }
        }
    }

    /// 256 consecutive samples per RAW frame, one block buffer as in the RTL: while a full block
    /// waits for the framer new samples are skipped, which is the gap docs/protocol.md allows.
    fn raw_tap(&mut self, samples: &[bool]) {
        if self.raw_slot.is_some() {
            return;
        }
        // A strobe's samples are shifted in as one (256 is a whole number of DDR pairs).
        self.raw_buf.extend_from_slice(samples);
        if self.raw_buf.len() == RAW_FRAME_SAMPLES {
            let packed = crate::packing::pack_lsb_first(&self.raw_buf);
            self.raw_slot = Some(packed.try_into().unwrap());
            self.raw_buf.clear();
        }
    }

    /// STATUS snapshots the per-period extremes and restarts them.
    fn queue_status(&mut self) {
        self.status_pending = Some(self.status());
        self.diag_pending = self.sfp_diag.is_some();
        self.rct.stats_clear();
        self.apt.stats_clear();
        self.markov.stats_clear();
    }

    fn byte_clocks(&self) -> u64 {
        10 * self.p.baud_divisor() as u64
    }

    fn receive_commands(&mut self) {
        while !self.rx_queue.is_empty() && self.clk >= self.rx_next_at {
            let b = self.rx_queue.pop_front().unwrap();
            self.rx_next_at += self.byte_clocks();
            if let Some(acc) = self.cmd.byte(b) {
                match acc.command {
                    Some(Command::SetMode(m)) => self.set_mode(m),
                    Some(Command::ClearAlarms) => self.clear_pending = true,
                    Some(Command::RequestStatus) => self.queue_status(),
                    None => {}
                }
                let a = acc.ack;
                self.ack = Some(Ack {
                    cmd_type: a.cmd_type,
                    cmd_seq: a.cmd_seq,
                    result: AckResult::from_u8(a.result),
                });
            }
        }
    }

    /// A mode change starts both paths afresh: the conditioned path from an empty holdback, the raw
    /// tap from a new 256-sample block.
    fn set_mode(&mut self, m: Mode) {
        if m == self.mode {
            return;
        }
        self.mode = m;
        let depth = self.p.holdback() as usize;
        self.holdback = Holdback::new(depth, holdback_capacity(&self.p));
        self.holdback_pairs = pair_holdback(&self.p);
        self.vn.reset();
        self.fold.reset();
        self.cond.abort();
        self.digest_slot = None;
        self.raw_buf.clear();
        self.raw_slot = None;
    }

    /// Framer (priority ACK > STATUS > SFP_DIAG > data) feeding a UART that needs `byte_clocks`
    /// per byte.
    fn run_uart(&mut self) {
        loop {
            if self.tx_frame.is_empty() {
                match self.next_frame() {
                    Some(f) => {
                        let f = Frame::new(f.0, self.seq, f.1);
                        self.seq = self.seq.wrapping_add(1);
                        self.frames_sent += 1;
                        self.tx_frame.extend(encode(&f));
                    }
                    None => {
                        // Idle line: the next frame starts as soon as it exists.
                        self.tx_free_at = self.tx_free_at.max(self.clk);
                        return;
                    }
                }
            }
            if self.tx_free_at + self.byte_clocks() > self.clk {
                return;
            }
            self.tx_free_at += self.byte_clocks();
            self.tx_out.push(self.tx_frame.pop_front().unwrap());
        }
    }

    fn next_frame(&mut self) -> Option<(FrameType, Vec<u8>)> {
        if let Some(a) = self.ack.take() {
            self.cmd.ack_taken();
            return Some((FrameType::Ack, a.serialize().to_vec()));
        }
        if let Some(s) = self.status_pending.take() {
            return Some((FrameType::Status, s.serialize().to_vec()));
        }
        if std::mem::take(&mut self.diag_pending) {
            if let Some(d) = self.sfp_diag {
                return Some((FrameType::SfpDiag, d.to_vec()));
            }
        }
        if let Some(d) = self.digests.take_frame() {
            self.blocks = self.blocks.wrapping_add(self.p.blocks_per_frame);
            return Some((FrameType::Conditioned, d));
        }
        self.raw_slot.take().map(|r| (FrameType::Raw, r.to_vec()))
    }
}

#[cfg(test)]
mod tests;
