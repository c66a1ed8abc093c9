namespace NeuronKit.Containers.Hdf5;

/// <summary>The object header message types the reader meets (the specification's IV.A.2), by number.</summary>
internal enum Hdf5MessageType
{
    Nil = 0x00,
    Dataspace = 0x01,
    LinkInfo = 0x02,
    Datatype = 0x03,
    FillValueOld = 0x04,
    FillValue = 0x05,
    Link = 0x06,
    ExternalDataFiles = 0x07,
    DataLayout = 0x08,
    Bogus = 0x09,
    GroupInfo = 0x0a,
    FilterPipeline = 0x0b,
    Attribute = 0x0c,
    Comment = 0x0d,
    ModificationTimeOld = 0x0e,
    SharedMessageTable = 0x0f,
    Continuation = 0x10,
    SymbolTable = 0x11,
    ModificationTime = 0x12,
    BTreeKValues = 0x13,
    DriverInfo = 0x14,
    AttributeInfo = 0x15,
    ReferenceCount = 0x16,
}
