//! A Verilated module with its clock, after reset, with ports looked up by name: what every
//! measurement here opens.

use rtl_sim::{Model, PortId};

pub struct Dut {
    pub m: Model,
    clock: PortId,
}

impl Dut {
    /// `module` of `profile`, reset held for one clock then released.
    pub fn open(profile: &str, module: &str) -> Result<Dut, String> {
        let mut m = Model::new(profile, module).map_err(|e| e.to_string())?;
        let [clock, reset] = ports(&m, ["clock", "reset"])?;
        m.set(reset, 1);
        m.tick(clock);
        m.set(reset, 0);
        Ok(Dut { m, clock })
    }

    pub fn ports<const N: usize>(&self, names: [&str; N]) -> Result<[PortId; N], String> {
        ports(&self.m, names)
    }

    pub fn tick(&mut self) {
        self.m.tick(self.clock);
    }
}

fn ports<const N: usize>(m: &Model, names: [&str; N]) -> Result<[PortId; N], String> {
    let mut out = Vec::with_capacity(N);
    for n in names {
        out.push(m.port(n).map_err(|e| e.to_string())?);
    }
    Ok(out.try_into().unwrap_or_else(|_| unreachable!("N names give N ports")))
}

/// A valid/data/ready stream from one DUT's output ports into another's input ports.
pub struct Stream {
    /// Upstream: valid, data (outputs), ready (input).
    pub up: [PortId; 3],
    /// Downstream: valid, data (inputs), ready (output).
    pub down: [PortId; 3],
}

/// Settles `s` between `up` and `down` within one clock, before the edge. Valid and data never
/// wait on ready combinationally (the handshake rule of every block here), so two passes reach the
/// fixed point; `up` is evaluated last, so its outputs read afterwards are current.
pub fn settle(up: &mut Dut, down: &mut Dut, s: &Stream) {
    let ([u_valid, u_data, u_ready], [d_valid, d_data, d_ready]) = (s.up, s.down);
    for _ in 0..2 {
        up.m.eval();
        down.m.set(d_valid, up.m.get(u_valid));
        down.m.set(d_data, up.m.get(u_data));
        down.m.eval();
        up.m.set(u_ready, down.m.get(d_ready));
    }
    up.m.eval();
}
