// Each scenario class runs a whole system (five processes); running them one at a time keeps a 2-core machine
// from starving the systems' health probes and timeouts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
