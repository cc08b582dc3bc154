Console.WriteLine("RollbackKit quickstart");
