// Formal wrapper of the generated speckle_core (rtl/<profile>/speckle_core.v), property (d) of
// docs/formal.md: what an alarm does to the conditioned data path, when a digest can enter the
// digest buffer and when a CONDITIONED frame can begin. All core inputs are free every clock (RD, LOS, the external alarm, the UART from the host,
// the SFP bus); reset is high in the first clock. Internal signals are made ports of the flattened
// core by the `expose` of core_alarm_hold.sby; the assertions read only those and the core's ports.
`default_nettype none
`include "params.vh"
module core_alarm_hold_formal(input wire clock, input wire reset, input wire rd, input wire los,
    input wire ext_alarm, input wire [415:0] sfp_diag, input wire sfp_diag_en, input wire uart_rx);
    wire uart_tx, alarm, gate_open, startup_done, activity;
    wire cond_in_valid, cond_in_ready, cond_abort, cond_digest_valid, holdback_flush, raw_mode;
    wire framer_active;
    wire [2:0] framer_kind;
    wire framer_crc_phase, cond_byte_full, cond_last_byte, abs_padding, abs_final, abs_start_req;
    wire [1:0] abs_st;
    wire [7:0] abs_pos, cond_nbyte;
    wire [7:0] framer_index, framer_last_index, framer_end_index;
    wire framer_last_q, dbuf_digest_ready, dbuf_frame_valid, dbuf_writing;
    speckle_core dut(.clock(clock), .reset(reset), .rd(rd), .los(los), .ext_alarm(ext_alarm),
        .sfp_diag(sfp_diag), .sfp_diag_en(sfp_diag_en), .uart_rx(uart_rx), .uart_tx(uart_tx),
        .alarm(alarm), .gate_open(gate_open), .startup_done(startup_done), .activity(activity),
        .\cond$in_valid (cond_in_valid), .\cond$in_ready (cond_in_ready), .\cond$abort (cond_abort),
        .\cond$digest_valid (cond_digest_valid), .\holdback$flush (holdback_flush),
        .\parser$mode (raw_mode), .\framer.active$q (framer_active), .\framer.kind$q (framer_kind),
        .\framer.crc_phase$q (framer_crc_phase), .\cond.byte_full (cond_byte_full),
        .\cond.last_byte (cond_last_byte), .\cond.nbyte (cond_nbyte), .\cond.absorber.st (abs_st),
        .\cond.absorber.padding (abs_padding), .\cond.absorber.final_blk (abs_final),
        .\cond.absorber.start_req (abs_start_req), .\cond.absorber.pos (abs_pos),
        .\framer.index$q (framer_index), .\framer.last_q$q (framer_last_q),
        .\framer.last_index (framer_last_index), .\framer.end_index (framer_end_index),
        .\dbuf$digest_ready (dbuf_digest_ready), .\dbuf$frame_valid (dbuf_frame_valid),
        .\dbuf.writing$q (dbuf_writing));

    reg past_valid = 1'b0;
    always @(posedge clock) past_valid <= 1'b1;
    always @(*) if (!past_valid) assume (reset);

    // The framer's frame kinds (docs/protocol.md; rtl/<profile>/blocks/speckle_framer.v t_conditioned).
    localparam [2:0] T_CONDITIONED = 3'd1;
    // A CONDITIONED frame begins: the framer goes from idle to sending one (its A5 byte goes to
    // uart_tx in the next clock).
    reg was_active = 1'b0;
    always @(posedge clock) was_active <= framer_active;
    wire cond_frame_begins = past_valid && !was_active && framer_active && framer_kind == T_CONDITIONED;

    always @(*) if (past_valid) begin
        // (a) at the core's pins: the gate is open exactly when startup passed and no alarm is latched
        assert (gate_open == (startup_done && !alarm));
        // (d) while an alarm is latched, every clock: the holdback is flushed, the conditioner's
        // partial block is aborted and it takes no input bit.
        if (alarm) assert (holdback_flush && cond_abort && !(cond_in_valid && cond_in_ready)); // mutant target: hold
        // (a) the same whenever the gate is closed: before the startup test completes (after reset or
        // a clear) as well as under an alarm, nothing reaches the conditioner.
        if (!gate_open) assert (holdback_flush && cond_abort && !(cond_in_valid && cond_in_ready)); // mutant target: hold
    end
    always @(posedge clock) if (past_valid) begin
        // (d) a CONDITIONED frame begins only in the clock after one in which the digest buffer held
        // a whole frame of digests; what enters the buffer is bounded below
        if (cond_frame_begins) assert ($past(dbuf_frame_valid && !reset)); // mutant target: begin
    end

    // (d), FD-3: at most one digest enters the digest buffer in the clocks of one alarm episode
    // (alarm high without a break). Digests already in the buffer may go out during the alarm: they
    // were complete before it.
    localparam [1:0] ST_CLEAR = 2'd0, ST_ABSORB = 2'd1, ST_PERM = 2'd2, ST_DONE = 2'd3;
    wire digest_enters = dbuf_digest_ready && !reset;
    reg began = 1'b0;
    always @(posedge clock)
        if (reset || !alarm) began <= 1'b0;
        else if (digest_enters) began <= 1'b1;
    // (d), FD-4: and, beyond the clock the alarm latched in, only if, in the clock the alarm latched,
    // the conditioner held a complete block (its n_in-th bit taken) or a finished digest.
    wire block_held = (cond_byte_full && cond_last_byte) || abs_padding || abs_final || abs_st == ST_DONE;
    reg was_alarm = 1'b0, had_block = 1'b0;
    always @(posedge clock) begin
        was_alarm <= alarm;
        if (alarm && !was_alarm) had_block <= block_held;
    end
    always @(*) if (past_valid) begin
        if (began && alarm) assert (!digest_enters);
        if (alarm && was_alarm && !had_block) assert (!digest_enters);
        if (alarm && was_alarm && !had_block)
            assert (!dbuf_writing && (abs_st == ST_CLEAR || abs_st == ST_ABSORB) && !abs_padding
                && !abs_final && !(cond_byte_full && cond_last_byte));
        // Strengthening (each proven as well): the conditioner holds its digest while the buffer
        // writes it (digest_valid until digest_ready) ...
        if (dbuf_writing) assert (cond_digest_valid);
        // the framer's byte counter: no frame ends before its last payload byte has moved
        if (framer_active && !framer_crc_phase) assert (framer_index <= framer_last_index);
        if (framer_active) assert (framer_last_q == (framer_index == framer_last_index));
        if (framer_active) assert (framer_last_index < framer_end_index);
        assert (cond_digest_valid == (abs_st == ST_DONE));
        if (began && alarm)
            assert (!dbuf_writing && (abs_st == ST_CLEAR || abs_st == ST_ABSORB) && !abs_padding
                && !abs_final && !(cond_byte_full && cond_last_byte));
        // ... the conditioner's packer never passes the block's last byte
        assert (cond_nbyte <= `N_IN / 8 - 1);
        assert (cond_last_byte == (cond_nbyte == `N_IN / 8 - 1));
        // ... and the absorber's control: one block per message (n_in / 8 bytes < the SHA3 rate), a
        // finished digest has no byte of the next block counted yet.
        if (abs_st == ST_CLEAR) assert (abs_pos == 8'd0 && cond_nbyte == 8'd0 && !abs_padding && !abs_final && !abs_start_req);
        if (abs_st == ST_ABSORB && !abs_padding && !abs_final) assert (abs_pos == cond_nbyte && !abs_start_req);
        if (abs_padding) assert (cond_nbyte == 8'd0 && !abs_final && !abs_start_req);
        if (abs_final) assert (cond_nbyte == 8'd0 && !abs_padding && abs_pos == 8'd0);
        if (abs_final && abs_st == ST_ABSORB) assert (abs_start_req);
        if (abs_st == ST_PERM || abs_st == ST_DONE) assert (abs_final && !abs_start_req);
    end

    // Non-vacuity (short traces from reset): an alarm latches and holds the data path.
    always @(posedge clock) if (past_valid) begin
        cover (alarm && cond_abort && holdback_flush && !reset);
    end
endmodule
