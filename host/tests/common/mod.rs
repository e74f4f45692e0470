//! A board double: builds the byte streams a Speckle board sends, from the protocol's own encoder,
//! so the host can be tested without the simulated board.
#![allow(dead_code)]

use speckle_model::params::CoreParams;
use speckle_model::protocol::{encode, Alarms, Frame, FrameType, StateBits, Status};

pub struct BoardDouble {
    pub seq: u16,
    pub params: CoreParams,
    pub bytes: Vec<u8>,
    pub raw_mode: bool,
    pub rct_failures: u16,
}

impl BoardDouble {
    pub fn new() -> Self {
        BoardDouble { seq: 0, params: CoreParams::ice40(), bytes: Vec::new(), raw_mode: false, rct_failures: 0 }
    }

    fn frame(&mut self, ftype: FrameType, payload: Vec<u8>) -> &mut Self {
        self.bytes.extend(encode(&Frame::new(ftype, self.seq, payload)));
        self.seq = self.seq.wrapping_add(1);
        self
    }

    pub fn status(&mut self, alarms: u8) -> &mut Self {
        let c = self.params.cutoffs();
        let gate = if alarms == 0 { StateBits::GATE_OPEN } else { 0 };
        let s = Status {
            version: 1,
            mode: u8::from(self.raw_mode),
            state: StateBits(StateBits::STARTUP_DONE | gate | StateBits::VN_ENABLED),
            alarms: Alarms(alarms),
            rct_failures: self.rct_failures,
            markov_min: 0xFFFF,
            rct_cutoff: c.rct as u16,
            apt_cutoff: c.apt as u16,
            markov_lo: c.markov_lo as u16,
            markov_hi: c.markov_hi as u16,
            window: self.params.window as u16,
            n_in: self.params.n_in as u16,
            fold_k: self.params.fold_k as u8,
            oversample: self.params.oversample as u8,
            h_milli: self.params.h_milli(),
            alpha_log2: self.params.alpha_log2 as u8,
            ..Default::default()
        };
        self.frame(FrameType::Status, s.serialize().to_vec())
    }

    /// A conditioned block whose bytes say where it came from: `tag` repeated.
    pub fn block(&mut self, tag: u8) -> &mut Self {
        self.frame(FrameType::Conditioned, vec![tag; 32])
    }

    pub fn raw(&mut self, samples: [u8; 32]) -> &mut Self {
        self.frame(FrameType::Raw, samples.to_vec())
    }

    pub fn garbage(&mut self, bytes: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(bytes);
        self
    }
}
