// interrupt.hpp: the process-wide "the user pressed Ctrl-C" flag.
//
// Owns: installing the SIGINT handler and the flag it sets. Waiting code (HTTP waits,
// the Lua hook) polls `interrupt_requested()` and raises ErrorKind::interrupted;
// whoever reports the interruption calls `clear_interrupt()`.
#pragma once

namespace orscript {

// Installs a SIGINT handler that sets the flag. A second Ctrl-C while the flag is still
// set kills the process with SIGINT, so a stuck program (a JIT-compiled loop ignores
// the Lua hook) always stops.
void install_interrupt_handler();
bool interrupt_requested();
void request_interrupt();  // what the handler does; also usable from tests
void clear_interrupt();
// A descriptor that becomes readable when a Ctrl-C arrives (the handler writes to a
// pipe), so a blocking reader can poll it beside its own input and never miss a
// Ctrl-C that lands between checking the flag and blocking. -1 before the handler is
// installed. clear_interrupt() drains it.
int interrupt_wakeup_fd();
// A line written to stderr (async-signal-safe) when a first Ctrl-C arrives, e.g. how
// to force quit; nullptr (the default) writes nothing. The text must outlive its use.
void set_interrupt_notice(const char* text);
// An async-signal-safe callback run by the handler after setting the flag (the Lua
// runtime uses it to set a hook that stops running Lua code). One at a time.
void set_interrupt_callback(void (*callback)());

}  // namespace orscript
