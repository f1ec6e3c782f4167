#include "common/phases.hpp"

namespace iterconf {

void Phases::add(std::string_view name, double seconds) {
    for (auto& [n, s] : m_list)
        if (n == name) {
            s += seconds;
            return;
        }
    m_list.emplace_back(std::string(name), seconds);
}

void Phases::add(const Phases& other) {
    for (const auto& [n, s] : other.m_list)
        add(n, s);
}

double Phases::total() const {
    double t = 0;
    for (const auto& [n, s] : m_list)
        t += s;
    return t;
}

} // namespace iterconf
