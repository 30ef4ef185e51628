/* hello-world: berth's first-run image; explains what just happened, like Docker's hello-world. */
#include <unistd.h>

static const char message[] =
    "\n"
    "Hello from berth!\n"
    "This message shows that your installation appears to be working correctly.\n"
    "\n"
    "To generate this message, berth took the following steps:\n"
    " 1. The berth CLI found the \"hello-world\" image in its local store (or created it\n"
    "    there from the built-in copy). There is no daemon: the CLI is the engine.\n"
    " 2. berth mounted the image as a union in-memory filesystem, with a fresh writable\n"
    "    layer on top for this container.\n"
    " 3. berth ran this WebAssembly (WASI) program in a sandbox, inside the berth process\n"
    "    itself, which produced the output you are currently reading.\n"
    " 4. berth streamed that output to your terminal.\n"
    "\n"
    "To try something more ambitious, you can run a shell with:\n"
    " $ berth run -it berthbox sh\n"
    "\n"
    "List your images and containers:\n"
    " $ berth image ls\n"
    " $ berth container ls -a\n"
    "\n"
    "For more examples and ideas, see:\n"
    " $ berth --help\n"
    "\n";

int main(void) {
  const char *p = message;
  size_t left = sizeof message - 1;
  while (left > 0) {
    ssize_t n = write(1, p, left);
    if (n <= 0) return 1;
    p += n;
    left -= (size_t)n;
  }
  return 0;
}
