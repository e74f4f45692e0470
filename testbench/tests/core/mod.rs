//! Harness shared by the core-level tests: drives `speckle_core`'s RD pin clock by clock, runs the
//! sampler model in lock-step to know which clock's RD became which raw sample, notes for every
//! sample whether it entered the conditioned data path (gate open at that clock), decodes the UART
//! pin with the `uart_rx` model and the frame decoder, and rebuilds the expected digests from the
//! model chain (VN → fold → SHA3 of `n_in`-bit blocks).

#![allow(dead_code)] // each test binary uses only part of it

use rtl_sim::{Model, PortId};
use speckle_model::params::CoreParams;
use speckle_model::protocol::{encode, Decoder, Frame, FrameType, Payload};
use speckle_model::sampler::{Sampler, SamplerDdr};
use speckle_model::sha3_conditioner::Sha3Conditioner;
use speckle_model::uart_rx::UartRx;
use speckle_model::uart_tx::waveform;
use speckle_model::vn_debias::VnDebias;
use speckle_model::xor_fold::XorFold;
use std::collections::VecDeque;

pub struct Core {
    pub p: CoreParams,
    m: Model,
    clock: PortId,
    rd: PortId,
    uart_tx: PortId,
    alarm: PortId,
    gate_open: PortId,
    uart_rx: PortId,
    los: PortId,
    ext_alarm: PortId,
    /// Pin levels still to be driven on `uart_rx`, one per clock (idle high when empty).
    line: VecDeque<bool>,
    /// Sequence number of the next command frame sent.
    cmd_seq: u16,
    pub sampler: Sampler,
    /// The pair form's sampler model (`ddr` cores; `rd` is then the `rd_pair` port).
    sampler_ddr: Option<SamplerDdr>,
    rx: UartRx,
    pub decoder: Decoder,
    pub frames: Vec<Frame>,
    /// Clock at which each frame's last byte was received.
    pub frame_clock: Vec<u64>,
    /// Clocks run since reset.
    pub clocks: u64,
    /// Raw sample values, in order.
    pub samples: Vec<bool>,
    /// For each sample: did it enter the holdback (gate open, conditioned mode)?
    pub pushed: Vec<bool>,
    /// Clock at which each sample became valid.
    pub sample_clock: Vec<u64>,
    /// First clock at which the `alarm` pin was high.
    pub alarm_at: Option<u64>,
}

impl Core {
    pub fn open(profile: &str) -> Core {
        if let Some(why) = rtl_sim::unavailable_reason() {
            panic!("no Verilator model of speckle_core: {why}");
        }
        let p = CoreParams::profile(profile).unwrap();
        let mut m = Model::new(profile, "speckle_core").unwrap_or_else(|e| panic!("{e}"));
        let rd_port = if p.ddr { "rd_pair" } else { "rd" };
        let port = |n: &str| m.port(n).unwrap_or_else(|e| panic!("{e}"));
        let (clock, rd, uart_tx, alarm, gate_open) =
            (port("clock"), port(rd_port), port("uart_tx"), port("alarm"), port("gate_open"));
        let (reset, uart_rx, los, ext_alarm) =
            (port("reset"), port("uart_rx"), port("los"), port("ext_alarm"));
        m.set(uart_rx, 1);
        m.set(reset, 1);
        m.tick(clock);
        m.set(reset, 0);
        let mut sampler = Sampler::new(p.oversample);
        sampler.clock(false, true);
        let sampler_ddr = p.ddr.then(|| {
            let mut s = SamplerDdr::default();
            s.clock(0, true);
            s
        });
        let divisor = p.baud_divisor();
        Core {
            p,
            m,
            clock,
            rd,
            uart_tx,
            alarm,
            gate_open,
            uart_rx,
            los,
            ext_alarm,
            line: VecDeque::new(),
            cmd_seq: 0,
            sampler,
            sampler_ddr,
            rx: UartRx::new(divisor),
            decoder: Decoder::new(),
            frames: Vec::new(),
            frame_clock: Vec::new(),
            clocks: 0,
            samples: Vec::new(),
            pushed: Vec::new(),
            sample_clock: Vec::new(),
            alarm_at: None,
        }
    }

    /// One clock with `rd` on the pin.
    pub fn step(&mut self, rd: bool) {
        assert!(self.sampler_ddr.is_none(), "a ddr core takes pairs: step_pair");
        self.m.set(self.rd, rd as u64);
        self.tick();
        let s = self.sampler.clock(rd, false);
        if s.sample_valid {
            self.took(&[s.sample]);
        }
        self.after_tick();
    }

    /// One clock of a `ddr` core with `a` on RD at the rising edge and `b` at the falling edge.
    pub fn step_pair(&mut self, a: bool, b: bool) {
        let pair = a as u8 | (b as u8) << 1;
        self.m.set(self.rd, pair as u64);
        self.tick();
        let sampler = self.sampler_ddr.as_mut().expect("step_pair on a single-lane core");
        let (s, valid) = sampler.clock(pair, false);
        if valid {
            self.took(&[s & 1 == 1, s & 2 == 2]);
        }
        self.after_tick();
    }

    fn tick(&mut self) {
        self.m.set(self.uart_rx, self.line.pop_front().unwrap_or(true) as u64);
        self.m.tick(self.clock);
        self.clocks += 1;
    }

    /// Records the samples that became valid in this clock.
    fn took(&mut self, samples: &[bool]) {
        // The holdback takes them at the next edge, if the gate is open then.
        let pushed = self.m.get(self.gate_open) != 0;
        for &s in samples {
            self.samples.push(s);
            self.pushed.push(pushed);
            self.sample_clock.push(self.clocks);
        }
    }

    fn after_tick(&mut self) {
        if self.alarm_at.is_none() && self.m.get(self.alarm) != 0 {
            self.alarm_at = Some(self.clocks);
        }
        self.rx.clock(self.m.get(self.uart_tx) != 0);
        let o = self.rx.outputs();
        if o.valid {
            for f in self.decoder.feed(&[o.data]) {
                self.frames.push(f);
                self.frame_clock.push(self.clocks);
            }
        }
    }

    /// Runs clocks with `rd` from `source` until `n` more raw samples were taken.
    pub fn run_samples(&mut self, n: usize, mut source: impl FnMut() -> bool) {
        let target = self.samples.len() + n;
        if self.p.ddr {
            while self.samples.len() < target {
                let a = source();
                self.step_pair(a, source());
            }
            return;
        }
        let mut rd = source();
        let mut phase = 0;
        while self.samples.len() < target {
            self.step(rd);
            phase += 1;
            if phase == self.p.oversample {
                phase = 0;
                rd = source();
            }
        }
    }

    /// Queues a host command frame on the `uart_rx` pin; returns its sequence number.
    pub fn send(&mut self, ftype: FrameType, payload: Vec<u8>) -> u16 {
        let seq = self.cmd_seq;
        self.cmd_seq = self.cmd_seq.wrapping_add(1);
        let divisor = self.p.baud_divisor();
        for byte in encode(&Frame::new(ftype, seq, payload)) {
            self.line.extend(waveform(byte, divisor));
        }
        seq
    }

    pub fn set_los(&mut self, level: bool) {
        self.m.set(self.los, level as u64);
    }

    pub fn set_ext_alarm(&mut self, level: bool) {
        self.m.set(self.ext_alarm, level as u64);
    }

    /// Frames of one type received so far.
    pub fn frames_of(&self, t: FrameType) -> Vec<&Frame> {
        self.frames.iter().filter(|f| f.ftype == t).collect()
    }

    /// Every digest of every CONDITIONED frame, in order (a frame carries `blocks_per_frame`).
    pub fn digests(&self) -> Vec<[u8; 32]> {
        let cond = self.frames.iter().filter(|f| f.ftype == FrameType::Conditioned);
        cond.flat_map(|f| {
            assert_eq!(f.payload.len(), self.p.conditioned_payload_len(), "CONDITIONED length");
            match f.payload() {
                Ok(Payload::Conditioned(d)) => d,
                other => panic!("bad CONDITIONED frame: {other:?}"),
            }
        })
        .collect()
    }

    pub fn gate_is_open(&self) -> bool {
        self.m.get(self.gate_open) != 0
    }

    pub fn alarm(&self) -> bool {
        self.m.get(self.alarm) != 0
    }
}

/// Digests the model chain produces from `samples` (one uninterrupted run into the holdback).
pub fn model_digests(p: &CoreParams, samples: &[bool]) -> Vec<[u8; 32]> {
    let vn = VnDebias::run(!p.vn_enable, samples.iter().copied());
    let folded = XorFold::run(p.fold_k, vn);
    let mut cond = Sha3Conditioner::new(p.n_in);
    folded.into_iter().filter_map(|b| cond.push(b)).collect()
}

/// The samples that entered the holdback, which must be one contiguous run (the gate opened once
/// and never closed before `end`); returns that run.
pub fn pushed_run(core: &Core, end: usize) -> &[bool] {
    let first = core.pushed[..end].iter().position(|&x| x).unwrap_or(end);
    assert!(
        core.pushed[first..end].iter().all(|&x| x),
        "the gate closed between samples {first} and {end}"
    );
    &core.samples[first..end]
}

/// The samples that entered the holdback from `start` on, which must be one uninterrupted run.
pub fn pushed_run_from(core: &Core, start: usize) -> &[bool] {
    let end =
        start + core.pushed[start..].iter().position(|&x| !x).unwrap_or(core.pushed.len() - start);
    assert!(
        core.pushed[end..].iter().all(|&x| !x),
        "the gate closed and reopened after sample {start}"
    );
    &core.samples[start..end]
}
