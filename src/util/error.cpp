#include "util/error.h"

namespace s3fcp {

int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Other: return 1;
    case ErrorKind::Usage: return 2;
    case ErrorKind::NotFound: return 3;
    case ErrorKind::Auth: return 4;
    case ErrorKind::Changed: return 5;
    case ErrorKind::Network: return 6;
    case ErrorKind::Checksum: return 7;
    case ErrorKind::Io: return 8;
    case ErrorKind::Range: return 9;
    case ErrorKind::Exists: return 10;
    case ErrorKind::Interrupted: return 130;
    case ErrorKind::BrokenPipe: return 141;
    case ErrorKind::Terminated: return 143;
  }
  return 1;
}

}  // namespace s3fcp
