// journey-fuzz TARGET [libFuzzer options] [corpus directories]
//
// Runs one fuzz target (see FuzzTarget.all) under libFuzzer when built by
// Scripts/fuzz.sh; in a normal build it replays the files it is given.
#if canImport(Glibc)
import Glibc
#endif
import CFuzzDriver
import JourneyFuzz

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = FuzzTarget.named(arguments[1]) else {
    var usage = "usage: journey-fuzz TARGET [libFuzzer options] [corpus…]\ntargets:\n"
    for t in FuzzTarget.all { usage += "  " + t.name + String(repeating: " ", count: max(1, 12 - t.name.count)) + t.summary + "\n" }
    _ = usage.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    exit(arguments.count >= 2 && arguments[1] == "--list" ? 0 : 64)
}

/// The chosen target, for the C callback (which cannot capture).
nonisolated(unsafe) var selected = target.run

// libFuzzer sees the program name and the options after the target name.
var argc = CommandLine.argc - 1
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
argv?[1] = argv?[0]
argv = argv.map { $0 + 1 }
let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    selected(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
exit(status)
