using System.Globalization;
using NeuronKit.Export;
using NeuronKit.Neurons;

namespace NeuronKit.Edits;

/// <summary>What an edit does to each part it touches: new values from the old ones.</summary>
public abstract record EditAction
{
    /// <summary>The part's new values, row-major, from its <paramref name="old"/> ones.</summary>
    public abstract double[] Apply(NeuronPart part, double[] old);

    /// <summary>The action as the command line spells it (<c>--scale 0.5</c>).</summary>
    public abstract override string ToString();

    /// <summary>Every value set to 0: with the outgoing parts, the neuron's effect on the model is gone.</summary>
    public sealed record Zero : EditAction
    {
        /// <inheritdoc/>
        public override double[] Apply(NeuronPart part, double[] old) => new double[old.Length];

        /// <inheritdoc/>
        public override string ToString() => "--zero";
    }

    /// <summary>Every value multiplied by <paramref name="Factor"/>.</summary>
    public sealed record Scale(double Factor) : EditAction
    {
        /// <inheritdoc/>
        public override double[] Apply(NeuronPart part, double[] old) => [.. old.Select(v => v * Factor)];

        /// <inheritdoc/>
        public override string ToString() => $"--scale {Factor.ToString("R", CultureInfo.InvariantCulture)}";
    }

    /// <summary>Every touched part set to <paramref name="Values"/> (row-major), whose shape must be the part's own.</summary>
    public sealed record Set(IReadOnlyList<long> Shape, double[] Values, string Source) : EditAction
    {
        /// <inheritdoc/>
        public override double[] Apply(NeuronPart part, double[] old) => Fitted(part, ["limit the edit to one part of that shape with --part ROLE[:GATE]"]);

        // The values for part, which must have their shape; hints say what to do when it has not.
        internal double[] Fitted(NeuronPart part, IReadOnlyList<string> hints) =>
            part.Shape.SequenceEqual(Shape) ? (double[])Values.Clone()
            : throw new RequestException($"{Source} has shape [{string.Join(", ", Shape)}], but {part.Tensor}{part.Index} " +
                $"has shape [{string.Join(", ", part.Shape)}]", hints);

        /// <inheritdoc/>
        public override string ToString() => $"--set {Source}";
    }

    /// <summary>
    /// Each part set to the array of its name in an .npz (<c>neuron show -o</c>'s keys, <see cref="NeuronArrays.Names"/>):
    /// the parts it names are the ones touched.
    /// </summary>
    public sealed record SetParts(IReadOnlyDictionary<string, Set> Arrays, string Source) : EditAction
    {
        /// <inheritdoc/>
        public override double[] Apply(NeuronPart part, double[] old) =>
            (Arrays.GetValueOrDefault(NeuronArrays.NameOf(part)) ?? Arrays.GetValueOrDefault($"{part.Tensor}{part.Index}")
                ?? throw new RequestException($"{Source} has no array for {part.Tensor}{part.Index}")).Fitted(part, []);

        /// <summary>
        /// The parts of <paramref name="neuron"/> the archive names (only those <paramref name="part"/> names too, when
        /// given); throws <see cref="RequestException"/> for an array that names no part of it.
        /// </summary>
        public IReadOnlyList<NeuronPart> PartsOf(Neuron neuron, string? part)
        {
            var names = NeuronArrays.Names(neuron.Parts);
            if (Arrays.Keys.Where(k => !names.Contains(k)).ToList() is [_, ..] unknown)
            {
                var hints = new List<string> { $"its parts: {string.Join(", ", names)}" };
                if (unknown.Any(k => k.StartsWith("out/", StringComparison.Ordinal) || k.StartsWith("through/", StringComparison.Ordinal))
                    && neuron.Parts.All(p => p.Direction == PartDirection.In))
                    hints.Add("add --outgoing to set the outgoing parts too");
                throw new RequestException($"{Source} holds {string.Join(", ", unknown.Select(k => $"'{k}'"))}, and neuron {neuron.Index} of " +
                    $"'{neuron.Layer.Name}' has no part of that name", hints);
            }
            var chosen = neuron.Parts.Where((_, k) => Arrays.ContainsKey(names[k])).ToList();
            if (part is null) return chosen;
            var picked = NeuronArrays.Pick(neuron, part);
            return [.. chosen.Where(picked.Contains)];
        }

        /// <inheritdoc/>
        public override string ToString() => $"--set {Source}";
    }

    /// <summary>
    /// Gaussian noise of standard deviation <paramref name="Sigma"/> added to every value, drawn from a generator seeded
    /// with <paramref name="Seed"/> so that the same command gives the same file.
    /// </summary>
    public sealed record AddNoise(double Sigma, int Seed) : EditAction
    {
        private Random? _random;

        /// <inheritdoc/>
        public override double[] Apply(NeuronPart part, double[] old)
        {
            _random ??= new Random(Seed);
            var values = new double[old.Length];
            for (int i = 0; i < old.Length; i++)
            {
                // Box–Muller: two uniform draws, one normal value; 1 - u keeps the logarithm's argument above 0.
                double u = 1 - _random.NextDouble(), v = _random.NextDouble();
                values[i] = old[i] + Sigma * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
            }
            return values;
        }

        /// <inheritdoc/>
        public override string ToString() =>
            $"--add-noise {Sigma.ToString("R", CultureInfo.InvariantCulture)} --seed {Seed.ToString(CultureInfo.InvariantCulture)}";
    }
}
