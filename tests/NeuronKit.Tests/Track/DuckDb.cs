using System.Data.Common;
using DuckDB.NET.Data;

namespace NeuronKit.Tests.Track;

/// <summary>Queries run by DuckDB itself (in process), the engine neuron track's Parquet is written for.</summary>
internal static class DuckDb
{
    /// <summary>Every row <paramref name="sql"/> returns, each value as DuckDB gives it to .NET (DBNull as null).</summary>
    public static List<object?[]> Rows(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using DbDataReader reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>A path as a SQL string literal.</summary>
    public static string Literal(string path) => "'" + path.Replace("'", "''") + "'";
}
