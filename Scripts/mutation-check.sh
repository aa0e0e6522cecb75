#!/usr/bin/env bash
# Mutation check: applies one deliberate break at a time to a copy of the
# sources and shows that the test suite catches it (the tests named beside
# each break fail). Prints one line per break and the catch rate.
# Usage: Scripts/mutation-check.sh [FILTER-REGEX]
# Works in place (a copied build directory would rebuild from scratch: Swift's
# module cache records absolute paths): each break is undone before the next,
# and on any exit. Do not edit the sources while it runs.
set -uo pipefail
cd "$(dirname "$0")/.."
# Restore with a fresh mtime: mv keeps the old one, and the build would then
# keep the mutant's object files as up to date.
restore() { for f in $(find Sources -name '*.swift.orig'); do mv "$f" "${f%.orig}"; touch "${f%.orig}"; done; }
trap restore EXIT
restore

# Each break: file | text to replace | replacement | test filter that must fail.
mutants=(
  "Sources/JourneyLog/OriginLog+Recovery.swift|if let ack { return lastSeq >= ack.lastSeq }|if ack != nil { return true }|IntegrityTests.testDamageBeforeTheAcknowledgedPosition"
  "Sources/JourneyLog/OriginLog+Recovery.swift|        try checkAcknowledged(lastFile: names.last.map { fs.join(directory, \$0) })||IntegrityTests.testADeletedOrCutSegment"
  "Sources/JourneyLog/OriginLog+Recovery.swift|        guard block.verifyHash() else {|        guard block.verifyHash() == block.verifyHash() else {|IntegrityTests.testAReplicaBlockRewrittenOnARelay"
  "Sources/JourneyLog/OriginLog.swift|            try AckRecord.write(ack, to: file, sync: sync)|            try AckRecord.write(ack, to: file, sync: false)|StorageSimulationTests"
  "Sources/JourneyLog/LogStore+Replication.swift|            throw LogError(.corrupt, \"block of '\\(h.origin)' at seq \\(h.firstSeq) is refused|            _ = LogError(.corrupt, \"block of '\\(h.origin)' at seq \\(h.firstSeq) is refused|IntegrityTests.testABlockSignedByTheOriginButUndecodable"
  "Sources/JourneyLog/LogStore.swift|        guard !fs.exists(keyPath), held.isEmpty else {|        guard true else {|IntegrityTests.testInitNeverOverwrites"
  "Sources/JourneyProjections/ProjectionEngine.swift|            // A rebuild killed before its end left the secondary indexes dropped: put them back|            return applied; // mutant|IntegrityCommandTests.testAKilledRebuild"
  "Sources/JourneyProjections/ProjectionEngine.swift|        let lock = heldLock == nil ? try ProjectionLock(path: path + \".lock\", waiting: { self.progress(\$0) }) : nil\n        if let lock {\n            heldLock = lock|        let lock: ProjectionLock? = nil\n        if let lock {\n            heldLock = lock|OrderIndependenceTests.testTwoEnginesOnOneFileNeverApplyAnEventTwice"
  "Sources/JourneyProjections/ProjectionEngine+Derive.swift|answered_at IS NOT NULL AND wait_ms <= :sl|answered_at IS NOT NULL AND wait_ms < :sl|KPITests.testServiceLevelCountsAWaitOfExactlyTAsWithin"
  "Sources/JourneyLog/OriginLog+Recovery.swift|            guard h.isSigned, SiteKey.verify(signature: h.signature, of: h.chainHash, publicKey: publicKey) else {|            guard h.isSigned else {|IntegrityTests.testAReplicaSignedByAnotherKeyIsRefusedAtOpen"
  "Sources/JourneyLog/OriginLog.swift|            if sync { try out.segments[s].file.sync() }|            _ = sync|LogStoreTests.testCrashAtEveryFaultPoint"
  "Sources/JourneyIngest/QueueLogFollower.swift|            try crashPoint?(.beforeAppend)|            offset += UInt64(chunk.count); try saveCursor(); offset -= UInt64(chunk.count); try crashPoint?(.beforeAppend)|ImportCommandTests.testAFollowerCrashedBetweenAppendAndCursorLosesNothing"
  "Sources/JourneyIngest/QueueLogFollower.swift|                importer.restore(customers: map)|                _ = map|ImportCommandTests.testFollowerRestartedAtEveryLineKeepsCustomers"
  "Sources/JourneyModel/Event+Validation.swift|        guard Limits.contains(at) else {|        guard true else {|BoundsTests.testTimesPushedOutOfRangeByTheirOffsetAreRefusedByName"
  "Sources/JourneyModel/Event+Validation.swift|ms >= 0, ms <= Limits.durationMsMax else {|ms >= 0 else {|HostileInputTests.testDurationsBeyondTheLimitAreRefused"
  "Sources/JourneyModel/Event+Validation.swift|            if let j = first[events[i].id] {\n                if events[j] != events[i] { return (j, i) }|            if let j = first[events[i].id] {\n                if false { return (j, i) }|HostileInputTests.testOneIDForTwoDifferentEventsInABatchIsRefusedNotDropped"
  "Sources/JourneyLog/LogStore+Replication.swift|                do throws(ModelError) { try e.validate() } catch {|                do throws(ModelError) { _ = e } catch {|IntegrityTests.testABlockSignedByTheOriginWithAnOutOfRangeEvent"
  "Sources/JourneyProjections/ProjectionEngine+Derive.swift|THEN MIN(:dmax, MAX(0, ended_at - answered_at)) + COALESCE|THEN MAX(0, ended_at - answered_at) + COALESCE|HostileInputTests.testDerivedDurationsAreBoundedSoNoSumOverflows"
  "Sources/JourneyCLI/ExitStatus.swift|        case .rejected, .protocolViolation: return damaged|        case .rejected: return damaged\n        case .protocolViolation: return failure|HostileInputTests.testAHostilePeerCannotCrashOrHangTheNodeThatSyncsFromIt"
  "Sources/JourneyProjections/ProjectionEngine+Derive.swift|(next_start IS NULL OR next_start > ended_at + :window)|(next_start IS NULL OR next_start >= ended_at + :window)|KPITests.testContainmentWindowBoundary"
  "Sources/JourneyProjections/ProjectionEngine+Derive.swift|ORDER BY c2.ended_at DESC, c2.site, c2.contact LIMIT 1|ORDER BY c2.ended_at ASC, c2.site, c2.contact LIMIT 1|KPITests.testRepeatOfIsTheLatest"
  "Sources/JourneyProjections/ContactState.swift|? \"transferred\" : \"answered\"|? \"answered\" : \"answered\"|KPITests.testEveryContactOutcome"
  "Sources/JourneyProjections/ProjectionQuery.swift|let recency = age <= 30 * 86_400_000 ? 1.0 : age <= 90 * 86_400_000 ? 0.5 : 0.25|let recency = 1.0|KPITests.testRepeatOfIsTheLatestAndCustomerHealth"
  "Sources/JourneyProjections/ProjectionQuery.swift|        return (sxx > 0 ? sxy / sxx : nil, variance.squareRoot())|        return (sxx > 0 ? -sxy / sxx : nil, variance.squareRoot())|KPITests.testTeamTrendAndStability"
  "Sources/JourneyProjections/ProjectionQuery.swift|(\$1.1 - my) * (\$1.1 - my) } / (n - 1)|(\$1.1 - my) * (\$1.1 - my) } / n|KPITests.testTeamTrendAndStability"
  "Sources/JourneyLog/BlockHeader.swift|firstSeq <= seqMax - UInt64(eventsMax), count >= 1|count >= 1|FuzzReplayTests"
  "Sources/JourneySync/SyncClient.swift|                    refused[origin] = \"\\(peer.name): \\(error)\"|                    throw SyncError(.rejected, \"\\(error)\")|SyncTests.testARefusedOriginDoesNotStopTheOthers"
  "Sources/JourneyIngest/CSVCallRecords.swift|[\"waitMs\": .integer(serviceStart.ms - entered.ms)]|[\"waitMs\": .integer((queueEnd ?? serviceStart).ms - entered.ms)]|RealDataImportTests.testImportedFiguresEqualAnIndependentComputation"
  "Sources/JourneyIngest/CSVCallRecords.swift|                    local += 86_400_000|                    local += 0|RealDataImportTests.testTimesAfterMidnightRollToTheNextDay"
  "Sources/JourneyIngest/CSVCallRecords.swift|            end = serviceEnd ?? serviceStart|            end = [ivrEnd, queueEnd, serviceEnd].compactMap { \$0 }.max() ?? serviceStart|RealDataImportTests.testTalkEndsAtServiceEnd"
  "Sources/JourneyIngest/AmazonConnectRecords.swift|            endpoint.members.removeAll { \$0.key == \"Address\" }|            _ = endpoint|RealDataImportTests.testNoCallerIdentifierIsStoredInClear"
  "Sources/JourneyIngest/ImportBatch.swift|                if events[j] != events[i], lines[j] != lines[i] {|                if false {|RealDataImportTests.testOneKeyWithDifferentContentIsRefusedNamingBothLines"
  "Sources/JourneyProjections/ProjectionEngine+Derive.swift|SELECT site, queue, interval_start, day, TOTAL(NOT refused),|SELECT site, queue, interval_start, day, COUNT(*),|SiteCalendarTests.testRefusedCallsAreCountedApartFromOffered"
  "Sources/JourneyProjections/SiteCalendar.swift|floorDiv(ms + offsetMs(site, atUTC: ms), 86_400_000)|floorDiv(ms + offsetMs(site, atUTC: 0), 86_400_000)|SiteCalendarTests.testDaylightSavingDaysHave46And50Intervals"
  "Sources/JourneyIngest/CSVCallRecords.swift|        try order(ivrStart, \"ivrStart\", serviceStart, \"serviceStart\", \"IVR before service\")||RealDataImportTests.testAnAnswerBeforeTheStartIsRefused"
  "Sources/JourneyProjections/ContactState.swift|                visits[v].inferredEntry = false\n                return|                visits[v].inferredEntry = false|SiteCalendarTests.testAnOrphanAbandonJoinsItsEntryImportedLater"
  "Sources/JourneyProjections/ProjectionEngine.swift|                if sitesProjected.contains(e.site) { zonesChanged = true }|                _ = sitesProjected|SiteCalendarTests.testAZoneRecordedLaterReprojectsTheSite"
  "Sources/JourneyProjections/ProjectionQuery.swift|        guard let busy, let ready, ready + (notReady ?? 0) > 0 else { return .null }|        guard let busy, let ready else { return .null }|SiteCalendarTests.testOccupancyWithoutAgentStatesIsUnknown"
)

# An optional argument keeps only the breaks whose test filter matches it (grep -E).
only=${1:-}
caught=0
total=0
for m in "${mutants[@]}"; do
  IFS='|' read -r file from to filter <<<"$m"
  if [ -n "$only" ] && ! grep -Eq "$only" <<<"$filter"; then continue; fi
  total=$((total + 1))
  cp "$file" "$file.orig"
  python3 - "$file" "$from" "$to" <<'PY'
import sys
path, old, new = sys.argv[1], sys.argv[2].replace("\\n", "\n"), sys.argv[3].replace("\\n", "\n")
s = open(path).read()
if old not in s:
    print(f"mutation target not found in {path}: {old[:60]!r}")
    sys.exit(2)
open(path, "w").write(s.replace(old, new, 1))
PY
  if [ $? -ne 0 ]; then mv "$file.orig" "$file"; echo "SKIPPED  $filter"; continue; fi
  if ! swift build --build-tests >/tmp/mutant-build.log 2>&1; then
    echo "CAUGHT   (does not compile) $file: $filter"; caught=$((caught + 1))
  elif swift test --skip-build --filter "$filter" >/tmp/mutant-test.log 2>&1; then
    echo "MISSED   $file: ${from:0:70} → $filter passed"
  else
    echo "CAUGHT   $file: ${from:0:70} → $filter failed"; caught=$((caught + 1))
  fi
  mv "$file.orig" "$file"
  touch "$file"
done
# Leave a build of the real sources behind.
swift build --build-tests >/tmp/mutant-build.log 2>&1
echo "mutation check: $caught of $total breaks caught"
