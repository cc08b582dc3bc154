#!/usr/bin/env python3
"""Simulates RollbackKit's Lease-based sharding (AddKubernetesSharding) for a large fleet.

It replays, event by event, what each replica does: one KubernetesClient LeaderElector per shard (acquire loop:
GET, then CREATE or PUT when the lease is free or has been seen unchanged for LeaseDuration, else wait RetryPeriod;
renew loop: GET + PUT every RetryPeriod, give up after RenewDeadline without success), the per-replica capacity
(ceil(Shards / ExpectedReplicas) + ShardSlack; electors still acquiring stop at capacity and start again when a shard is
lost), and one replica dying (it stops renewing and does not release). The API server is a lease store with
optimistic concurrency and a random latency per call.

It reports, per configuration: shards and targets per replica, monitor ticks and target evaluations per second per
replica, Lease API calls per second (renewals, acquire polls, writes), and the takeover time of a dead replica's
shards, over several trials. Standard library only; deterministic for a given --seed.

Usage: python3 eng/shard-simulation.py [--targets 100000] [--replicas 20] [--shards 40,200] [--trials 20]
"""
import argparse
import heapq
import math
import random
import statistics


class Store:
    """The API server's leases, with resourceVersion conflicts, counting calls."""

    def __init__(self):
        self.leases = {}
        self.rv = 0
        self.calls = {"get": 0, "create": 0, "update": 0, "delete": 0}

    def get(self, shard):
        self.calls["get"] += 1
        lease = self.leases.get(shard)
        return None if lease is None else dict(lease)

    def create(self, shard, record):
        self.calls["create"] += 1
        if shard in self.leases:
            return None
        self.rv += 1
        self.leases[shard] = dict(record, rv=self.rv)
        return dict(self.leases[shard])

    def update(self, shard, record, rv):
        self.calls["update"] += 1
        current = self.leases.get(shard)
        if current is None or current["rv"] != rv:
            return None
        self.rv += 1
        self.leases[shard] = dict(record, rv=self.rv)
        return dict(self.leases[shard])


    def delete(self, shard, rv):
        self.calls["delete"] += 1
        current = self.leases.get(shard)
        if current is not None and current["rv"] == rv:
            del self.leases[shard]


class Simulation:
    def __init__(self, args, shards, seed):
        self.a = args
        self.shards = shards
        self.rng = random.Random(seed)
        self.store = Store()
        self.events = []
        self.seq = 0
        self.now = 0.0
        self.capacity = min(shards, math.ceil(shards / args.replicas) + args.slack)
        self.owned = [set() for _ in range(args.replicas)]
        self.alive = [True] * args.replicas
        # elector state per (replica, shard): None (not running) or a dict
        self.electors = {}
        self.acquired_at = {}
        self.last_renew = {}

    def latency(self):
        # log-normal around the configured median, capped at 1 s
        return min(1.0, self.rng.lognormvariate(math.log(self.a.latency_ms / 1000.0), 0.6))

    def at(self, time, action, *args):
        self.seq += 1
        heapq.heappush(self.events, (time, self.seq, action, args))

    # ---- one elector, following k8s.LeaderElection.LeaderElector ----
    def start_elector(self, replica, shard):
        key = (replica, shard)
        if self.electors.get(key) is not None or not self.alive[replica] or shard in self.owned[replica]:
            return
        if len(self.owned[replica]) >= self.capacity:
            return
        state = {"gen": self.seq + 1, "observed": None, "observed_at": -1e9, "leading": False, "renew_started": None}
        self.electors[key] = state
        self.at(self.now, self.try_acquire_or_renew, replica, shard, state["gen"])

    def stop_elector(self, replica, shard):
        self.electors[(replica, shard)] = None

    def current(self, replica, shard, gen):
        state = self.electors.get((replica, shard))
        return state if state is not None and state["gen"] == gen and self.alive[replica] else None

    def try_acquire_or_renew(self, replica, shard, gen):
        state = self.current(replica, shard, gen)
        if state is None:
            return
        started = self.now
        lease = self.store.get(shard)
        self.at(self.now + self.latency(), self.after_get, replica, shard, gen, lease, started)

    def after_get(self, replica, shard, gen, lease, started):
        state = self.current(replica, shard, gen)
        if state is None:
            return
        me = replica
        record = {"holder": me, "acquire": started, "renew": started}
        if lease is None:
            result = self.store.create(shard, record)
            self.at(self.now + self.latency(), self.after_write, replica, shard, gen, result)
            return
        key = (lease["holder"], lease["acquire"], lease["renew"])
        if state["observed"] != key:
            state["observed"] = key
            state["observed_at"] = self.now
        is_leader = lease["holder"] == me
        if not is_leader and state["observed_at"] + self.a.lease_duration > self.now:
            self.after_write(replica, shard, gen, None)
            return
        if is_leader:
            record["acquire"] = lease["acquire"]
        result = self.store.update(shard, record, lease["rv"])
        self.at(self.now + self.latency(), self.after_write, replica, shard, gen, result)

    def release(self, shard, rv):
        # read, then delete with a resourceVersion precondition
        self.store.calls["get"] += 1
        self.at(self.now + self.latency(), self.store.delete, shard, rv)

    def after_write(self, replica, shard, gen, result):
        state = self.current(replica, shard, gen)
        if state is None:
            # The elector was stopped (capacity reached) while its write was in flight: a lease it won is given back.
            if result is not None and self.alive[replica] and shard not in self.owned[replica]:
                self.release(shard, result["rv"])
            return
        if result is not None:
            state["observed"] = (result["holder"], result["acquire"], result["renew"])
            state["observed_at"] = self.now
            self.last_renew[shard] = result["renew"]
            if not state["leading"]:
                if len(self.owned[replica]) >= self.capacity:
                    # Two electors won at once: give this one back (read, then delete with a resourceVersion precondition).
                    self.stop_elector(replica, shard)
                    self.release(shard, result["rv"])
                    return
                state["leading"] = True
                self.owned[replica].add(shard)
                self.acquired_at.setdefault(shard, []).append((self.now, replica, result["acquire"]))
                if len(self.owned[replica]) >= self.capacity:
                    for other in range(self.shards):
                        s = self.electors.get((replica, other))
                        if s is not None and not s["leading"]:
                            self.stop_elector(replica, other)
            state["renew_started"] = None
            self.at(self.now + self.a.retry_period, self.try_acquire_or_renew, replica, shard, gen)
            return
        if state["leading"]:
            if state["renew_started"] is None:
                state["renew_started"] = self.now
            if self.now - state["renew_started"] >= self.a.renew_deadline:
                self.lose(replica, shard)
                return
        self.at(self.now + self.a.retry_period, self.try_acquire_or_renew, replica, shard, gen)

    def lose(self, replica, shard):
        self.stop_elector(replica, shard)
        self.owned[replica].discard(shard)
        for other in range(self.shards):
            self.start_elector(replica, other)

    def kill(self, replica):
        self.alive[replica] = False
        for shard in range(self.shards):
            self.electors[(replica, shard)] = None

    def run_until(self, end):
        while self.events and self.events[0][0] <= end:
            time, _, action, args = heapq.heappop(self.events)
            self.now = time
            action(*args)
        self.now = end

    def owners(self):
        owners = [[] for _ in range(self.shards)]
        for r in range(self.a.replicas):
            if self.alive[r]:
                for s in self.owned[r]:
                    owners[s].append(r)
        return owners


def trial(args, shards, seed):
    sim = Simulation(args, shards, seed)
    for r in range(args.replicas):
        start = sim.rng.uniform(0, args.start_spread)
        for s in range(shards):
            sim.at(start, sim.start_elector, r, s)
    settle = args.lease_duration * 3
    sim.run_until(settle)
    owners = sim.owners()
    stable = all(len(o) == 1 for o in owners)
    # steady-state API calls over a window
    before = dict(sim.store.calls)
    window = args.window
    sim.run_until(settle + window)
    rates = {k: (sim.store.calls[k] - before[k]) / window for k in before}
    per_replica = [len(sim.owned[r]) for r in range(args.replicas)]
    # kill the replica holding the most shards
    victim = max(range(args.replicas), key=lambda r: len(sim.owned[r]))
    victim_shards = sorted(sim.owned[victim])
    death = sim.now
    renew_at_death = {s: sim.last_renew[s] for s in victim_shards}
    sim.kill(victim)
    sim.run_until(death + args.lease_duration * 4 + 5)
    takeovers_from_death = []
    takeovers_from_renew = []
    for s in victim_shards:
        later = [a for a in sim.acquired_at.get(s, []) if a[0] > death and a[1] != victim]
        if later:
            takeovers_from_death.append(later[0][0] - death)
            takeovers_from_renew.append(later[0][2] - renew_at_death[s])
    unowned = sum(1 for o in sim.owners() if len(o) == 0)
    double = sum(1 for o in sim.owners() if len(o) > 1)
    return {
        "stable": stable, "rates": rates, "per_replica": per_replica, "victim_shards": len(victim_shards),
        "from_death": takeovers_from_death, "from_renew": takeovers_from_renew,
        "not_taken": len(victim_shards) - len(takeovers_from_death), "unowned_after": unowned, "double_after": double,
    }


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--targets", type=int, default=100_000)
    p.add_argument("--replicas", type=int, default=20)
    p.add_argument("--shards", default="40,200")
    p.add_argument("--slack", type=int, default=1)
    p.add_argument("--lease-duration", type=float, default=15.0)
    p.add_argument("--renew-deadline", type=float, default=10.0)
    p.add_argument("--retry-period", type=float, default=2.0)
    p.add_argument("--evaluation-interval", type=float, default=10.0)
    p.add_argument("--latency-ms", type=float, default=5.0, help="median API call latency")
    p.add_argument("--start-spread", type=float, default=5.0, help="replicas start within this many seconds")
    p.add_argument("--window", type=float, default=60.0, help="seconds of steady state over which API calls are counted")
    p.add_argument("--trials", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()

    print(f"targets={args.targets} replicas={args.replicas} LeaseDuration={args.lease_duration}s RenewDeadline={args.renew_deadline}s "
          f"RetryPeriod={args.retry_period}s EvaluationInterval={args.evaluation_interval}s ShardSlack={args.slack} "
          f"median API latency={args.latency_ms}ms trials={args.trials} seed={args.seed}")
    print()
    print("| Shards | Max per replica | Shards per replica (min–max) | Targets per replica (max) | Ticks/s per replica | Target evaluations/s per replica (max) | Lease GET/s | Lease PUT/s | Lease POST/s | Lease DELETE/s | Lease calls/s per replica | Takeover after death p50 / p90 / max (s) | Takeover after last renewal max (s) | Shards left unowned |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for shards in [int(s) for s in args.shards.split(",")]:
        results = [trial(args, shards, args.seed * 1000 + i) for i in range(args.trials)]
        capacity = min(shards, math.ceil(shards / args.replicas) + args.slack)
        per = [n for r in results for n in r["per_replica"]]
        max_targets = math.ceil(args.targets * max(per) / shards)
        rates = {k: statistics.mean(r["rates"][k] for r in results) for k in results[0]["rates"]}
        total = sum(rates.values())
        death = [t for r in results for t in r["from_death"]]
        renew = [t for r in results for t in r["from_renew"]]
        unowned = sum(r["not_taken"] + r["unowned_after"] for r in results)
        assert all(r["stable"] for r in results), "not every shard had exactly one owner before the death"
        assert all(r["double_after"] == 0 for r in results), "a shard had two owners"
        ticks = 1 / args.evaluation_interval
        print(f"| {shards} | {capacity} | {min(per)}–{max(per)} | {max_targets:,} | {ticks:.2f} | {max_targets * ticks:,.0f} | "
              f"{rates['get']:.1f} | {rates['update']:.1f} | {rates['create']:.2f} | {rates['delete']:.2f} | {total / args.replicas:.1f} | "
              f"{pct(death, 0.5):.2f} / {pct(death, 0.9):.2f} / {max(death):.2f} | {max(renew):.2f} | {unowned} |")


if __name__ == "__main__":
    main()
