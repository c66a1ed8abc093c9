using System.Globalization;
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
        public override double[] Apply(NeuronPart part, double[] old) =>
            part.Shape.SequenceEqual(Shape) ? (double[])Values.Clone()
            : throw new RequestException($"{Source} has shape [{string.Join(", ", Shape)}], but {part.Tensor}{part.Index} " +
                $"has shape [{string.Join(", ", part.Shape)}]", ["limit the edit to one part of that shape with --part ROLE[:GATE]"]);

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
