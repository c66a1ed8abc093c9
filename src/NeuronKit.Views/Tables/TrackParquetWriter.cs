using System.Globalization;
using System.Reflection;
using NeuronKit.Stats;
using NeuronKit.Track;
using NeuronKit.Views.Reports;
using Parquet;
using Parquet.Schema;

namespace NeuronKit.Views.Tables;

/// <summary>
/// <c>neuron track --parquet</c>: one row per (checkpoint, layer, neuron) with <c>neuron stats</c>' columns, typed
/// (strings, int64, double, boolean; null where stats has no value), in row groups of <see cref="RowGroupRows"/> rows,
/// with the run's facts as file metadata (<c>neuronkit.*</c>). Written through Parquet.Net's column API, which needs
/// no reflection (the tool is compiled ahead of time).
/// <code>
/// await using var writer = await TrackParquetWriter.CreateAsync(stream, TrackParquetWriter.Metadata(run, options));
/// foreach (var checkpoint in run.Compute(options)) await writer.AddAsync(checkpoint);
/// await writer.CompleteAsync();
/// </code>
/// </summary>
public sealed class TrackParquetWriter : IAsyncDisposable
{
    /// <summary>
    /// Rows per row group. DuckDB and Spark split a file's work by row group; DuckDB writes 122,880 rows to one, and a few
    /// MB compressed per group keeps a whole run's parts parallel without holding more than tens of MB here.
    /// </summary>
    public const int RowGroupRows = 262_144;

    private static readonly DataField<string> Checkpoint = new("checkpoint", nullable: false);
    private static readonly DataField<long?> Step = new("step", nullable: true);
    private static readonly DataField<string> Layer = new("layer", nullable: false);
    private static readonly DataField<string> Kind = new("kind", nullable: false);
    private static readonly DataField<long> Neuron = new("neuron", nullable: false);
    private static readonly DataField<long> Weights = new("weights", nullable: false);
    private static readonly DataField<double> L1 = new("l1", nullable: false);
    private static readonly DataField<double> L2 = new("l2", nullable: false);
    private static readonly DataField<double> Mean = new("mean", nullable: false);
    private static readonly DataField<double> Std = new("std", nullable: false);
    private static readonly DataField<double> Min = new("min", nullable: false);
    private static readonly DataField<double> Max = new("max", nullable: false);
    private static readonly DataField<double> ZeroFraction = new("zero_fraction", nullable: false);
    private static readonly DataField<double?> Bias = new("bias", nullable: true);
    private static readonly DataField<string> GateBiases = new("gate_biases", nullable: true);
    private static readonly DataField<bool> Dead = new("dead", nullable: false);
    private static readonly DataField<long?> DuplicateOf = new("duplicate_of", nullable: true);
    private static readonly DataField<bool> Outlier = new("outlier", nullable: false);
    private static readonly DataField<double?> OutgoingL2 = new("outgoing_l2", nullable: true);
    private static readonly DataField<bool> Unused = new("unused", nullable: false);

    /// <summary>The columns, in order: <c>checkpoint</c> (the path as given), <c>step</c>, then <c>neuron stats --csv</c>'s.</summary>
    public static ParquetSchema Schema { get; } = new(Checkpoint, Step, Layer, Kind, Neuron, Weights, L1, L2, Mean, Std, Min, Max,
        ZeroFraction, Bias, GateBiases, Dead, DuplicateOf, Outlier, OutgoingL2, Unused);

    private readonly ParquetWriter _writer;
    private readonly string[] _checkpoint = new string[RowGroupRows], _layer = new string[RowGroupRows], _kind = new string[RowGroupRows];
    private readonly string?[] _gateBiases = new string?[RowGroupRows];
    private readonly long?[] _step = new long?[RowGroupRows], _duplicateOf = new long?[RowGroupRows];
    private readonly long[] _neuron = new long[RowGroupRows], _weights = new long[RowGroupRows];
    private readonly double[] _l1 = new double[RowGroupRows], _l2 = new double[RowGroupRows], _mean = new double[RowGroupRows],
        _std = new double[RowGroupRows], _min = new double[RowGroupRows], _max = new double[RowGroupRows], _zeroFraction = new double[RowGroupRows];
    private readonly double?[] _bias = new double?[RowGroupRows], _outgoingL2 = new double?[RowGroupRows];
    private readonly bool[] _dead = new bool[RowGroupRows], _outlier = new bool[RowGroupRows], _unused = new bool[RowGroupRows];
    private int _buffered;
    private bool _completed;

    // The file's key-value metadata: the footer is written last, so what only the end knows can still go in.
    private readonly Dictionary<string, string> _metadata;
    private int _checkpoints;

    private TrackParquetWriter(ParquetWriter writer, Dictionary<string, string> metadata)
    {
        _writer = writer;
        _metadata = metadata;
    }

    /// <summary>Starts a Parquet file on <paramref name="output"/> (writable and seekable) with <paramref name="metadata"/> as its key-value metadata.</summary>
    public static async Task<TrackParquetWriter> CreateAsync(Stream output, IReadOnlyDictionary<string, string> metadata)
    {
        var writer = await ParquetWriter.CreateAsync(Schema, output, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy });
        var own = new Dictionary<string, string>(metadata);
        writer.CustomMetadata = own;
        return new TrackParquetWriter(writer, own);
    }

    /// <summary>
    /// The file metadata that says where a part came from: <c>neuronkit.version</c>, <c>neuronkit.shard</c> (I/N),
    /// <c>neuronkit.checkpoints</c> (in this part), <c>neuronkit.run_checkpoints</c> (in every part), <c>neuronkit.layer</c>
    /// (when one was asked for), <c>neuronkit.outlier_k</c> and <c>neuronkit.outgoing</c>; <see cref="CompleteAsync"/>
    /// sets the checkpoints actually written, and <c>neuronkit.skipped</c> when a run skipped unreadable ones.
    /// </summary>
    public static Dictionary<string, string> Metadata(TrackRun run, StatsOptions options)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["neuronkit.version"] = typeof(Model).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            ["neuronkit.shard"] = run.Shard.ToString(),
            ["neuronkit.checkpoints"] = run.Checkpoints.Count.ToString(CultureInfo.InvariantCulture),
            ["neuronkit.run_checkpoints"] = run.RunSize.ToString(CultureInfo.InvariantCulture),
            ["neuronkit.outlier_k"] = options.OutlierK.ToString("R", CultureInfo.InvariantCulture),
            ["neuronkit.outgoing"] = options.Outgoing ? "true" : "false",
        };
        if (run.Layer is { } layer) metadata["neuronkit.layer"] = layer;
        if (run.LoraBase is { } loraBase) metadata["neuronkit.lora_base"] = loraBase;
        return metadata;
    }

    /// <summary>Rows written so far, with those still buffered.</summary>
    public long Rows { get; private set; }

    /// <summary>Adds a row per neuron of <paramref name="checkpoint"/>, writing each row group as it fills.</summary>
    public async Task AddAsync(CheckpointStats checkpoint)
    {
        string path = checkpoint.Checkpoint.Path;
        long? step = checkpoint.Checkpoint.Step;
        _checkpoints++;
        foreach (var layer in checkpoint.Stats.Layers)
            foreach (var n in layer.Neurons)
            {
                int i = _buffered;
                _checkpoint[i] = path;
                _step[i] = step;
                _layer[i] = layer.Layer.Name;
                _kind[i] = layer.Layer.Kind;
                _neuron[i] = n.Index;
                _weights[i] = n.Weights;
                (_l1[i], _l2[i], _mean[i], _std[i], _min[i], _max[i], _zeroFraction[i]) = (n.L1, n.L2, n.Mean, n.Std, n.Min, n.Max, n.ZeroFraction);
                _bias[i] = n.Bias;
                _gateBiases[i] = n.GateBiases is null ? null : StatsFlags.Gates(n, v => v.ToString("R", CultureInfo.InvariantCulture), "");
                _dead[i] = n.Dead;
                _duplicateOf[i] = n.DuplicateOf;
                _outlier[i] = n.Outlier;
                _outgoingL2[i] = n.OutgoingL2;
                _unused[i] = n.Unused;
                Rows++;
                if (++_buffered == RowGroupRows) await FlushAsync();
            }
    }

    /// <summary>
    /// Writes the last row group and the footer; the stream then holds a complete file. Its metadata says how many
    /// checkpoints it holds and, when <paramref name="skipped"/> names any, those left out (one path a line).
    /// </summary>
    public async Task CompleteAsync(IReadOnlyList<string>? skipped = null)
    {
        if (_completed) return;
        _metadata["neuronkit.checkpoints"] = _checkpoints.ToString(CultureInfo.InvariantCulture);
        if (skipped is { Count: > 0 }) _metadata["neuronkit.skipped"] = string.Join("\n", skipped);
        // The writer takes the metadata when it is set, so it is set again.
        _writer.CustomMetadata = _metadata;
        // A run with no rows still gets one (empty) row group, so readers see the schema the usual way.
        if (_buffered > 0 || Rows == 0) await FlushAsync();
        _completed = true;
        await _writer.DisposeAsync();
    }

    private async Task FlushAsync()
    {
        int n = _buffered;
        using (var group = _writer.CreateRowGroup())
        {
            await group.WriteAsync(Checkpoint, new ArraySegment<string>(_checkpoint, 0, n));
            await group.WriteAsync(Step, new ReadOnlyMemory<long?>(_step, 0, n));
            await group.WriteAsync(Layer, new ArraySegment<string>(_layer, 0, n));
            await group.WriteAsync(Kind, new ArraySegment<string>(_kind, 0, n));
            await group.WriteAsync(Neuron, new ReadOnlyMemory<long>(_neuron, 0, n));
            await group.WriteAsync(Weights, new ReadOnlyMemory<long>(_weights, 0, n));
            foreach (var (field, values) in new (DataField<double>, double[])[]
                     {(L1, _l1), (L2, _l2), (Mean, _mean), (Std, _std), (Min, _min), (Max, _max), (ZeroFraction, _zeroFraction) })
                await group.WriteAsync(field, new ReadOnlyMemory<double>(values, 0, n));
            await group.WriteAsync(Bias, new ReadOnlyMemory<double?>(_bias, 0, n));
            await group.WriteAsync(GateBiases, new ArraySegment<string>(_gateBiases!, 0, n));
            await group.WriteAsync(Dead, new ReadOnlyMemory<bool>(_dead, 0, n));
            await group.WriteAsync(DuplicateOf, new ReadOnlyMemory<long?>(_duplicateOf, 0, n));
            await group.WriteAsync(Outlier, new ReadOnlyMemory<bool>(_outlier, 0, n));
            await group.WriteAsync(OutgoingL2, new ReadOnlyMemory<double?>(_outgoingL2, 0, n));
            await group.WriteAsync(Unused, new ReadOnlyMemory<bool>(_unused, 0, n));
            group.CompleteValidate();
        }
        _buffered = 0;
    }

    /// <summary>Closes the file; call <see cref="CompleteAsync"/> first for a complete one (a failed run leaves it unfinished).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_completed) return;
        _completed = true;
        await _writer.DisposeAsync();
    }
}
