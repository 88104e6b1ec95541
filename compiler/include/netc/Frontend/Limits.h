//===- Limits.h - The front end's documented size limits --------*- C++ -*-===//
//
// Inputs beyond these limits are located errors, never a stack overflow, an
// allocation failure or an unbounded run (docs/language.md, "Limits"). They
// are far above what a real model needs and low enough that the front end
// checks any file in bounded time and memory.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_FRONTEND_LIMITS_H
#define NETC_FRONTEND_LIMITS_H

#include <cstdint>

namespace netc {
namespace limits {

/// Nesting of brackets, operators, blocks and loops: each `(`, `[`, call,
/// unary operator, operand of a binary operator, `repeat` and `for` is one
/// level.
constexpr int kNesting = 256;
/// Syntax errors reported before the parser gives up.
constexpr int kSyntaxErrors = 20;
/// Layers in one network instance.
constexpr int64_t kLayersPerNetwork = 10000;
/// Layers of all network instances of a file together.
constexpr int64_t kLayersPerFile = 20000;
/// Times `repeat` bodies run while one network instance is built.
constexpr int64_t kRepeatIterations = 100000;
/// Values of a range `a..b`.
constexpr int64_t kRangeValues = 10000;
/// Loop iterations of one experiment (a crossvalidate value counts once per
/// fold); each innermost iteration is one run.
constexpr int64_t kLoopIterations = 10000;
/// Elements of one tensor (a layer's output for one example, or a weight),
/// and so the largest layer size, kernel, stride or dimension: 2^40.
constexpr int64_t kTensorElements = int64_t(1) << 40;
/// Checking steps for a whole file: a bound on checking time that catches
/// what the limits above do not (e.g. blocks that each call the next one
/// twice). A step is an evaluation, statement, layer application, loop
/// iteration or range value; making a layer costs kLayerWork more, and as
/// much again per weight tensor, and applying a block kBlockWork. The
/// largest program in models/ takes a few thousand steps; the limit keeps
/// checking any file well under a second, also in the fuzzer's sanitizer
/// build.
constexpr int64_t kWork = 250000;
constexpr int64_t kLayerWork = 10;
constexpr int64_t kBlockWork = 4;
/// Per name compared for a "did you mean" suggestion.
constexpr int64_t kSuggestWork = 2;

} // namespace limits
} // namespace netc

#endif
