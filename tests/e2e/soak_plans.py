"""Draws shared by the download soaks (soak_faults.sh, soak_file_faults.sh), imported by their run generators. Each
takes the run's random.Random, so that a run is its seed alone; the order of the draws is part of that, and changing
it changes what every recorded seed replays."""

CHUNKS = [16384, 65536, 131072, 262144]


def object_size(rng, chunk):
    """An object of many chunks (7 runs in 10), or one at the edges: one byte, around one chunk, two chunks."""
    if rng.random() < 0.7:
        return min(rng.randrange(8 * chunk, 40 * chunk), 3 << 20) + rng.randrange(chunk)
    return rng.choice([1, rng.randrange(1, chunk), chunk - 1, chunk, chunk + 1, 2 * chunk, 2 * chunk + 1])


def answer_fault(rng, kind, p, chunk, match, retry_after=False, stall_p=(0.01, 0.04)):
    """The fault-server rule for one KIND of broken answer, on the requests MATCH selects with probability P:
    reset_after, short_body, short_length, status503 / status500 (with retry_after, one in ten says Retry-After: 1),
    full_200, or stall. A stall costs a --read-timeout 1 wait, so it draws its own, lower probability from STALL_P.
    Returns (rule, p, stalls)."""
    rule = {"match": dict(match, probability=p), "times": -1}
    if kind == "reset_after":
        rule["reset_after"] = rng.choice([0, 1, rng.randrange(chunk), chunk - 1])
    elif kind == "short_body":
        rule["short_body"] = rng.choice([1, rng.randrange(1, chunk)])
    elif kind == "short_length":
        rule["short_length"] = rng.choice([1, rng.randrange(1, chunk)])
    elif kind.startswith("status"):
        rule.update(fault="status", status=int(kind[6:]))
        if retry_after and rng.random() < 0.1:
            rule["retry_after"] = 1
    elif kind == "full_200":
        rule["full_200"] = True
    elif kind == "stall":
        p = round(rng.uniform(*stall_p), 3)
        rule = {"match": dict(match, probability=p), "fault": "stall", "after": rng.randrange(chunk), "seconds": 10,
                "times": -1}
        return rule, p, True
    else:
        raise ValueError(kind)
    return rule, p, False
