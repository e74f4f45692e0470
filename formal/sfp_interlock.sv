// Formal wrapper of the generated speckle_sfp_frontend (SFP poller + laser interlock), property (e)
// of docs/formal.md. The I2C bus (sda_in, scl_in) and the LOS pin are free every clock: the module
// on the bus may answer anything, stretch, NACK or short the bus. Only reset is constrained: it is
// high in the first clock (power-on reset; the block's registers have no defined power-up value).
`default_nettype none
module sfp_interlock_formal(input wire clock, input wire reset, input wire los, input wire sda_in,
    input wire scl_in);
    wire scl_oe, sda_oe, tx_disable, poll_done;
    wire [415:0] sfp_diag;
    speckle_sfp_frontend dut(.clock(clock), .reset(reset), .los(los), .sda_in(sda_in), .scl_in(scl_in),
        .scl_oe(scl_oe), .sda_oe(sda_oe), .sfp_diag(sfp_diag), .tx_disable(tx_disable),
        .poll_done(poll_done));

    reg past_valid = 1'b0;
    always @(posedge clock) past_valid <= 1'b1;
    always @(*) if (!past_valid) assume (reset);

    // SFP_DIAG payload (docs/protocol.md): byte i at [8i+7:8i]; A2h 32-33 RX power high alarm,
    // A2h 104-105 live RX power (payload bytes 48-49), flags at byte 50 (bit1 valid, bit2 tripped).
    wire [15:0] rx_high_alarm = {sfp_diag[8*32 +: 8], sfp_diag[8*33 +: 8]};
    wire [15:0] rx_power = {sfp_diag[8*48 +: 8], sfp_diag[8*49 +: 8]};
    wire diag_valid = sfp_diag[8*50 + 1];
    wire flag_tripped = sfp_diag[8*50 + 2];

    always @(*) if (past_valid) begin
        // (e) In the clock a complete poll publishes an RX power above the module's own high-alarm
        // threshold, TX_DISABLE is already high (it rises with poll_done, 0 clocks after the verdict).
        if (poll_done && diag_valid && rx_power > rx_high_alarm) assert (tx_disable);
`ifndef MUTANT
        // The interlock flag in SFP_DIAG is the pin.
        assert (flag_tripped == tx_disable);
`endif
    end
    always @(posedge clock) if (past_valid) begin
        // (e) once raised, TX_DISABLE stays raised until reset
        if ($past(tx_disable && !reset)) assert (tx_disable);
        // and it rises only at the end of a complete poll (never spuriously, never from LOS alone)
        if (!$past(tx_disable) && tx_disable) assert (poll_done && diag_valid); // mutant target: los
        // a reset lowers it
        if ($past(reset)) assert (!tx_disable);
    end
endmodule
