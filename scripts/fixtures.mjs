console.log("fixtures: todo")
