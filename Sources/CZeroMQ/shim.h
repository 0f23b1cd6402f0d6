// The libzmq C API (Debian package libzmq3-dev), exposed to Swift as module CZeroMQ.
#include <zmq.h>
