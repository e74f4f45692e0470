// Gate-level check of the iCE40 flow: the synthesised speckle_core (synth_ice40 -abc9 -dff -device u,
// as mk/fpga.mk runs it for the iCEBreaker) against rtl/ice40/speckle_core.v, clock by clock, on all
// five outputs. A one-off check (about 40 min of iverilog for 250 000 clocks), not part of make test;
// result in docs/fpga-results.md (iCEBreaker). From a scratch directory:
//   yosys -q -p "read_verilog rtl/ice40/speckle_core.v; synth_ice40 -abc9 -dff -device u -top speckle_core;
//                rename speckle_core speckle_core_gl; write_verilog -noattr gl.v"
//   python3 testbench/gatelevel/uart_stimulus.py          # writes rx.mem
//   iverilog -g2012 -o sim -DNO_ICE40_DEFAULT_ASSIGNMENTS testbench/gatelevel/ice40_core_tb.v \
//       rtl/ice40/speckle_core.v gl.v /usr/share/yosys/ice40/cells_sim.v && vvp -n sim
// Passes when the last line says "mismatching clocks 0" with uart_tx edges, frames and alarm clocks > 0.
`timescale 1ns/1ps
module tb;
  reg clock = 0, reset = 1, rd = 0, uart_rx = 1;
  reg [31:0] lfsr = 32'h1;
  reg line_bits [0:249999];
  wire tx_a, al_a, go_a, sd_a, ac_a, tx_b, al_b, go_b, sd_b, ac_b;
  speckle_core    a (.clock(clock), .reset(reset), .rd(rd), .los(1'b0), .ext_alarm(1'b0), .sfp_diag(416'd0), .sfp_diag_en(1'b0),
                     .uart_rx(uart_rx), .uart_tx(tx_a), .alarm(al_a), .gate_open(go_a), .startup_done(sd_a), .activity(ac_a));
  speckle_core_gl b (.clock(clock), .reset(reset), .rd(rd), .los(1'b0), .ext_alarm(1'b0), .sfp_diag(416'd0), .sfp_diag_en(1'b0),
                     .uart_rx(uart_rx), .uart_tx(tx_b), .alarm(al_b), .gate_open(go_b), .startup_done(sd_b), .activity(ac_b));
  integer t, bad = 0, edges = 0, frames = 0, alarms = 0, opens = 0;
  reg last_tx = 1, last_ac = 0;
  initial begin
    $readmemb("rx.mem", line_bits);
    for (t = 0; t < 250000; t = t + 1) begin
      reset = (t < 20);
      uart_rx = line_bits[t];
      lfsr = {lfsr[30:0], lfsr[31] ^ lfsr[21] ^ lfsr[1] ^ lfsr[0]};
      rd = (t >= 140000 && t < 142000) ? 1'b1 : lfsr[7];
      #5 clock = 1; #5 clock = 0;
      if (t % 10000 == 0) begin $display("clock %0d: %0d mismatches so far", t, bad); $fflush; end
      if (t > 20) begin
        if ({tx_a, al_a, go_a, sd_a, ac_a} !== {tx_b, al_b, go_b, sd_b, ac_b}) begin
          if (bad < 5) $display("clock %0d: rtl %b gate-level %b", t, {tx_a, al_a, go_a, sd_a, ac_a}, {tx_b, al_b, go_b, sd_b, ac_b});
          bad = bad + 1;
        end
        if (tx_a != last_tx) edges = edges + 1;
        if (ac_a != last_ac) frames = frames + 1;
        if (al_a) alarms = alarms + 1;
        if (go_a) opens = opens + 1;
        last_tx = tx_a; last_ac = ac_a;
      end
    end
    $display("mismatching clocks %0d; uart_tx edges %0d, frames %0d, alarm clocks %0d, gate-open clocks %0d", bad, edges, frames, alarms, opens);
    $finish;
  end
endmodule
