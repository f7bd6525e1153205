/* Machine exit through the isa-debug-exit port. */
#ifndef PAGELAB_SHUTDOWN_H
#define PAGELAB_SHUTDOWN_H

#define EXIT_OK      0
#define EXIT_FAILED  1
#define EXIT_PANIC   3

void shutdown(int code) __attribute__((noreturn));
void halt_forever(void) __attribute__((noreturn));

#endif
