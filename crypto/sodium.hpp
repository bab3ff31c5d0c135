#pragma once
// One place that initialises libsodium; every crypto entry point calls ensure_sodium().
namespace ik::crypto {
void ensure_sodium();
}
