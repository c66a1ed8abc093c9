// One test at a time: torch.manual_seed and the default generator are process-wide, and the PyTorch sample test
// needs the exact sequence of draws that made samples/seed_*.pt.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
