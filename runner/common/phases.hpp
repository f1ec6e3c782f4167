// Where the time of a run goes: seconds per named phase (load, judge,
// channel, ...), summed over the items of a run, in the order the phases were
// first seen. The guest agent sends its own at DONE (qemu/channel.hpp) and
// the host keeps one per kernel; `iterconf run --bench` prints them per item
// next to each other (issue 14's profile: measure before making it faster).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace iterconf {

class Phases {
  public:
    using List = std::vector<std::pair<std::string, double>>;

    // Adds `seconds` to `name` (a new name goes last).
    void add(std::string_view name, double seconds);
    // Adds every phase of `other`.
    void add(const Phases& other);
    // Runs f() and adds its wall time to `name`; returns what f returns.
    template <class F> decltype(auto) time(std::string_view name, F&& f) {
        Timer t(*this, name);
        return f();
    }
    const List& list() const { return m_list; }
    double total() const;
    bool empty() const { return m_list.empty(); }

  private:
    struct Timer {
        Timer(Phases& p, std::string_view name)
            : phases(p), name(name), t0(std::chrono::steady_clock::now()) {}
        ~Timer() {
            phases.add(
                name, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        }
        Phases& phases;
        std::string_view name;
        std::chrono::steady_clock::time_point t0;
    };
    List m_list;
};

} // namespace iterconf
