// The layout process (layout_main.c): the process whose address space an
// input lays out and the walk reads. Started from the static binary
// embedded in whatever links the oracle, and respawned when it dies.
#pragma once

#include "common/result.hpp"
#include "oracle/layout_abi.h"

#include <memory>
#include <sys/types.h>
#include <vector>

namespace iterconf::oracle {

class LayoutProcess {
  public:
    static Result<std::unique_ptr<LayoutProcess>> spawn();
    ~LayoutProcess();
    pid_t pid() const { return m_pid; }
    // Sends `cmds` then LAYOUT_SYNC and waits for the reply: when it
    // returns, the process is blocked reading its next command.
    Result<layout_reply> apply(const std::vector<layout_cmd>& cmds);

  private:
    LayoutProcess() = default;
    pid_t m_pid = -1;
    int m_in = -1, m_out = -1, m_file = -1;
};

} // namespace iterconf::oracle
