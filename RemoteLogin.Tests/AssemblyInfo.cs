// The end-to-end tests start daemons, clients and the bench as real processes on a 2-core machine;
// running them one at a time keeps each one's sockets and counters its own.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
