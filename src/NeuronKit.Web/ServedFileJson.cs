namespace NeuronKit.Web;

/// <summary>A served file as <c>/api/files</c> lists it: how requests name it.</summary>
/// <param name="Index">Its position on the command line.</param>
/// <param name="Name">Its file name.</param>
internal sealed record ServedFileJson(int Index, string Name);
